package io.gatehouse.cli.commands;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The loopback listener of {@code gatehouse login --sso}: on 127.0.0.1 and a free port, it waits
 * for the browser the proxy redirects to {@code /callback?code=…} (or {@code ?error=…}) and answers
 * it with a page saying the window may be closed. The code is one-time and short-lived, and worth
 * nothing without the verifier only this process holds ({@link LoginCommand}), so the URL the
 * browser keeps in its history carries no credential. One answer is taken; anything else gets 404.
 */
final class SsoCallback implements AutoCloseable {
  static final String PATH = "/callback";

  private final HttpServer server;
  private final CompletableFuture<String> code = new CompletableFuture<>();

  SsoCallback() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.USER_ERROR, "cannot listen on 127.0.0.1 for the login: " + e.getMessage());
    }
    server.createContext(PATH, this::handle);
    server.start();
  }

  /** Where the proxy sends the browser back: {@code http://127.0.0.1:PORT/callback}. */
  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
  }

  /**
   * The one-time code, once the browser brought it.
   *
   * @throws CliException when the proxy refused the login or nothing came within {@code timeout}
   */
  String await(Duration timeout) {
    try {
      return code.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new CliException(
          ExitCodes.USER_ERROR,
          "no login came back within " + timeout.toSeconds() + " s (--timeout): start again");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof CliException c
          ? c
          : new CliException(ExitCodes.USER_ERROR, "the login failed: " + e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.USER_ERROR, "interrupted while waiting for the login");
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    String code = param(exchange.getRequestURI().getRawQuery(), "code");
    String error = param(exchange.getRequestURI().getRawQuery(), "error");
    if (!exchange.getRequestMethod().equals("GET") || (code == null && error == null)) {
      answer(exchange, 404, "Not a Gatehouse login.");
      return;
    }
    if (this.code.isDone()) {
      answer(exchange, 409, "This login is over already; you may close this window.");
      return;
    }
    if (code != null) {
      answer(exchange, 200, "Logged in to Gatehouse. You may close this window.");
      this.code.complete(code);
    } else {
      answer(exchange, 200, "The Gatehouse login failed: " + error);
      this.code.completeExceptionally(
          new CliException(ExitCodes.USER_ERROR, "the proxy refused the login: " + error));
    }
  }

  private static void answer(HttpExchange exchange, int status, String text) throws IOException {
    byte[] body =
        ("<!doctype html><meta charset=utf-8><title>Gatehouse</title><p>"
                + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                + "\n")
            .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static String param(String query, String name) {
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      String[] kv = pair.split("=", 2);
      if (kv.length == 2 && kv[0].equals(name)) {
        return URLDecoder.decode(kv[1], StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
