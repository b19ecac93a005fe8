package io.gatehouse.cli;

import io.gatehouse.cli.commands.AgentCommand;
import io.gatehouse.cli.commands.AgentsCommand;
import io.gatehouse.cli.commands.AuditCommand;
import io.gatehouse.cli.commands.CaCommand;
import io.gatehouse.cli.commands.CreateCommand;
import io.gatehouse.cli.commands.DevCommand;
import io.gatehouse.cli.commands.GetCommand;
import io.gatehouse.cli.commands.KafkaCommand;
import io.gatehouse.cli.commands.LockCommand;
import io.gatehouse.cli.commands.LoginCommand;
import io.gatehouse.cli.commands.LogoutCommand;
import io.gatehouse.cli.commands.LsCommand;
import io.gatehouse.cli.commands.ProxyCommand;
import io.gatehouse.cli.commands.RmCommand;
import io.gatehouse.cli.commands.SessionsCommand;
import io.gatehouse.cli.commands.StatusCommand;
import io.gatehouse.cli.commands.TokensCommand;
import io.gatehouse.cli.commands.TunnelCommand;
import io.gatehouse.cli.commands.UsersCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gatehouse} command. */
@Command(
    name = "gatehouse",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "High-availability control plane for access-proxy agents.",
    subcommands = {
      DevCommand.class,
      ProxyCommand.class,
      AgentCommand.class,
      CaCommand.class,
      LsCommand.class,
      AgentsCommand.class,
      SessionsCommand.class,
      CreateCommand.class,
      GetCommand.class,
      RmCommand.class,
      TunnelCommand.class,
      AuditCommand.class,
      LoginCommand.class,
      LogoutCommand.class,
      StatusCommand.class,
      UsersCommand.class,
      KafkaCommand.class,
      TokensCommand.class,
      LockCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs the command with the given streams and returns its exit code; used by tests too. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return commandLine(out, err).execute(args);
  }

  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(new Failures());
    cli.setParameterExceptionHandler(
        (e, args) -> {
          err.println("error: " + e.getMessage());
          err.println(
              "try: gatehouse "
                  + String.join(
                      " ",
                      e.getCommandLine()
                          .getCommandSpec()
                          .qualifiedName()
                          .replaceFirst("^gatehouse ?", ""))
                  + " --help");
          return ExitCodes.USER_ERROR;
        });
    return cli;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Maps failures to one line on stderr and the documented exit code. */
  static final class Failures implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(
        Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
      PrintWriter err = cli.getErr();
      if (e instanceof CliException c) {
        err.println("error: " + c.getMessage());
        return c.exitCode();
      }
      err.println("error: " + e);
      return ExitCodes.USER_ERROR;
    }
  }

  /** Reads the version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"gatehouse " + (v == null ? "dev" : v)};
    }
  }
}
