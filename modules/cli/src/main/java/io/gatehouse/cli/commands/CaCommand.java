package io.gatehouse.cli.commands;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.cli.output.Format;
import io.gatehouse.pki.CaPin;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.pki.PkiException;
import io.gatehouse.proxy.config.ProxyConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gatehouse ca init|pin}: the cluster CA's directory and the pin agents join with. */
@Command(
    name = "ca",
    mixinStandardHelpOptions = true,
    description = "Create the cluster CA or show its pin.",
    subcommands = {CaCommand.Init.class, CaCommand.Pin.class})
public final class CaCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The options both subcommands share, and how they print. */
  abstract static class CaDirCommand implements Callable<Integer> {
    @Option(
        names = "--dir",
        paramLabel = "DIR",
        description = "The CA directory, the proxies' proxy.ca.dir (default: ${DEFAULT-VALUE}).")
    Path dir = ProxyConfig.DEFAULT_CA_DIR;

    @Option(
        names = "--format",
        paramLabel = "text|json",
        description = "Output format (default: ${DEFAULT-VALUE}).",
        defaultValue = "text")
    Format format;

    @Spec CommandSpec spec;

    /** Prints the pin as one line of text, or as {@code {"dir": …, "ca_pin": …}}. */
    void print(CaPin pin, String textBefore) {
      PrintWriter out = spec.commandLine().getOut();
      if (format == Format.json) {
        Map<String, String> json = new LinkedHashMap<>();
        json.put("dir", dir.toAbsolutePath().normalize().toString());
        json.put("ca_pin", pin.toString());
        try {
          out.println(ReadCommand.JSON.writeValueAsString(json));
        } catch (JsonProcessingException e) {
          throw new IllegalStateException(e);
        }
      } else {
        if (!textBefore.isEmpty()) {
          out.println(textBefore);
        }
        out.println("CA pin: " + pin);
      }
      out.flush();
    }
  }

  /** Writes a new CA and cluster secret; refuses a directory that holds either. */
  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = {
        "Create the cluster CA (ca.key, ca.crt) and cluster secret in DIR, each mode 0600,",
        "and print the CA pin agents join with. Never overwrites: an existing CA is an error.",
        "Copy DIR to every proxy and keep a backup: losing ca.key means a new cluster."
      })
  public static final class Init extends CaDirCommand {
    @Override
    public Integer call() {
      ClusterCa ca;
      try {
        ca = ClusterCa.init(dir, Clock.systemUTC(), new SecureRandom());
      } catch (PkiException e) {
        throw CliException.user(e.getMessage());
      }
      print(
          ca.pin(),
          "cluster CA created in "
              + dir
              + " ("
              + ClusterCa.KEY_FILE
              + ", "
              + ClusterCa.CERT_FILE
              + ", "
              + ClusterSecret.FILE
              + "; mode 0600)");
      return ExitCodes.OK;
    }
  }

  /** Prints the pin of the CA in DIR, reading only its certificate. */
  @Command(
      name = "pin",
      mixinStandardHelpOptions = true,
      description = "Print the pin (sha256 of the CA public key) of the CA in DIR.")
  public static final class Pin extends CaDirCommand {
    @Override
    public Integer call() {
      try {
        print(CaPin.of(ClusterCa.readCertificate(dir)), "");
      } catch (PkiException e) {
        throw CliException.user(e.getMessage());
      }
      return ExitCodes.OK;
    }
  }
}
