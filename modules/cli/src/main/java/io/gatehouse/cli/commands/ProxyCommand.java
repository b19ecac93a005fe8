package io.gatehouse.cli.commands;

import io.gatehouse.pki.CaPin;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.proxy.Proxy;
import io.gatehouse.proxy.config.ProxyConfig;
import java.nio.file.Path;
import picocli.CommandLine.Command;

/** {@code gatehouse proxy -c proxy.yaml}: runs a proxy until SIGTERM/Ctrl-C. */
@Command(
    name = "proxy",
    mixinStandardHelpOptions = true,
    description = "Run a proxy from a config file (see infra/examples/proxy.yaml).")
public final class ProxyCommand extends RunCommand<ProxyConfig, Proxy> {
  @Override
  String role() {
    return "proxy";
  }

  @Override
  ProxyConfig load(Path file) {
    return ProxyConfig.load(file);
  }

  @Override
  Proxy start(ProxyConfig parsed) {
    return Proxy.start(parsed);
  }

  @Override
  String ready(ProxyConfig parsed, Proxy proxy) {
    return "proxy "
        + proxy.id()
        + " serving https://"
        + proxy.webAddress()
        + " (users, API and agent tunnels; certificate from the cluster CA in "
        + parsed.caDir()
        + ", CA pin "
        + CaPin.of(ClusterCa.readCertificate(parsed.caDir()))
        + "; kafka "
        + parsed.kafkaBootstrap()
        + ")";
  }
}
