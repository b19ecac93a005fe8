package io.gatehouse.cli.commands;

import io.gatehouse.cli.CliException;
import io.gatehouse.config.ConfigException;
import io.gatehouse.proxy.config.ProxyConfig;
import java.nio.file.Path;

/**
 * The proxy's {@code proxy.yaml} as the operator commands ({@code tokens}, {@code lock}, {@code
 * kafka acls}, {@code audit tail -c}) read it on a proxy host: the one place a bad file becomes a
 * user error naming file, key and reason.
 */
final class OperatorConfig {
  private OperatorConfig() {}

  static ProxyConfig load(Path file) {
    try {
      return ProxyConfig.load(file);
    } catch (ConfigException e) {
      throw CliException.user(e.getMessage());
    }
  }
}
