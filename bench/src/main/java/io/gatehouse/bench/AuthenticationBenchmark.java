package io.gatehouse.bench;

import io.gatehouse.access.AppAssertions;
import io.gatehouse.access.Credential;
import io.gatehouse.access.Credentials;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What authentication adds to every app request on the proxy: verifying the user's credential (an
 * HS256 JWT: base64, JSON, one HMAC, through nimbus) and, per new assertion, signing the user's
 * ES256 identity for the app (the proxy reuses one per user and app for 30 s, so a keep-alive
 * stream pays it once in tens of thousands of requests). Compared in {@code docs/benchmarks.md}
 * with the proxy's CPU per request from the full suite.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(
    value = 1,
    jvmArgs = {"-Xms512m", "-Xmx512m"})
public class AuthenticationBenchmark {
  private Credentials credentials;
  private String token;
  private AppAssertions assertions;

  @Setup(Level.Trial)
  public void issue() {
    credentials = new Credentials(new byte[32], Clock.systemUTC());
    token = credentials.issue("alice", List.of("dev", "ops"), Duration.ofHours(12), "password");
    KeyPair key = AppAssertions.generateKey();
    assertions = new AppAssertions(key, AppAssertions.keyIdOf(key), Clock.systemUTC());
  }

  /** Per request: the credential's verification. */
  @Benchmark
  public Credential verifyCredential() {
    return credentials.verify(token);
  }

  /** Per user and app every 30 s: a new identity assertion. */
  @Benchmark
  public String signAssertion() {
    return assertions.sign("alice", List.of("dev", "ops"), "demo", Duration.ofSeconds(60));
  }
}
