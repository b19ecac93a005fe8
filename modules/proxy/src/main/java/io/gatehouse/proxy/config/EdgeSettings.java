package io.gatehouse.proxy.config;

import io.gatehouse.config.ConfigNode;
import io.gatehouse.config.HostPort;
import io.gatehouse.config.ValueParser;
import io.gatehouse.pki.PkiException;
import io.gatehouse.pki.ServerCertificate;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What users meet at the edge (docs/proxy.md).
 *
 * @param certificate the operator's certificate and key for users ({@code proxy.tls.cert_file} and
 *     {@code key_file}, PEM), read and checked at start; empty: users are shown the proxy's
 *     certificate from the cluster CA, as agents always are
 * @param plaintextListen a second, plaintext HTTP/1.1 listener for a TLS-terminating balancer on
 *     the same host ({@code proxy.plaintext_listen}): loopback addresses only, no agent tunnels,
 *     and the client's address taken from the last {@code X-Forwarded-For} entry the balancer adds;
 *     empty (the default): none
 */
public record EdgeSettings(
    Optional<ServerCertificate> certificate, Optional<HostPort> plaintextListen) {
  public EdgeSettings {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(plaintextListen, "plaintextListen");
  }

  /** No operator certificate, no plaintext listener. */
  public static EdgeSettings defaults() {
    return new EdgeSettings(Optional.empty(), Optional.empty());
  }

  /**
   * Reads {@code tls} and {@code plaintext_listen} of the proxy section, problems at their keys.
   */
  static EdgeSettings read(ConfigNode proxy, Instant now) {
    ConfigNode tls = proxy.object("tls");
    Optional<Path> cert = tls.value("cert_file", ValueParser.nonBlank()).map(Path::of);
    Optional<Path> key = tls.value("key_file", ValueParser.nonBlank()).map(Path::of);
    Optional<ServerCertificate> certificate = Optional.empty();
    if (cert.isPresent() != key.isPresent()) {
      tls.problem(
          cert.isPresent() ? "key_file" : "cert_file",
          "cert_file and key_file go together: name both files, or neither to show users the"
              + " cluster CA's certificate");
    } else if (cert.isPresent()) {
      try {
        certificate = Optional.of(ServerCertificate.read(cert.get(), key.get(), now));
      } catch (PkiException e) {
        tls.problem(
            e.getMessage().startsWith(key.get().toString()) ? "key_file" : "cert_file",
            e.getMessage());
      }
    }
    Optional<HostPort> plaintext = proxy.value("plaintext_listen", EdgeSettings::loopbackAddress);
    return new EdgeSettings(certificate, plaintext);
  }

  private static HostPort loopbackAddress(String text) {
    HostPort address = ValueParser.bindAddress().parse(text);
    boolean loopback;
    try {
      loopback = !address.isWildcard() && InetAddress.getByName(address.host()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("cannot resolve '" + address.host() + "'");
    }
    if (!loopback) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "': a plaintext listener binds a loopback address only (e.g. 127.0.0.1:3081),"
              + " for a TLS-terminating balancer on the same host");
    }
    return address;
  }
}
