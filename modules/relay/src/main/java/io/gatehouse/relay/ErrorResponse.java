package io.gatehouse.relay;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Locale;

/**
 * The one shape of an error answer on either end of the wire: the status, {@code Gatehouse-Error}
 * (and {@code Gatehouse-Agent} when an agent answers) and one line of plain text. A response that
 * has already started cannot become an error any more; it is reset, the only honest signal left.
 */
public final class ErrorResponse {
  private ErrorResponse() {}

  /**
   * Answers with {@code code}'s status; see {@link #send(HttpServerRequest, int, String, String,
   * String)}.
   */
  public static void send(HttpServerRequest request, ErrorCode code, String agentId, String line) {
    send(request, code.status(), code.code(), agentId, line);
  }

  /**
   * Answers {@code request} unless its response has ended or closed; resets it if the head is out.
   * The request body, if any, is discarded.
   *
   * @param agentId the agent answering, sent as {@code Gatehouse-Agent}; null on the proxy
   * @param line the message; line breaks become spaces so it stays one line
   */
  public static void send(
      HttpServerRequest request, int status, String code, String agentId, String line) {
    HttpServerResponse response = request.response();
    HopHeaders.resume(request);
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      response.reset();
      return;
    }
    String connection = request.getHeader(HttpHeaders.CONNECTION);
    if (connection != null && connection.toLowerCase(Locale.ROOT).contains("upgrade")) {
      // A refused upgrade leaves the client unsure what the connection is now; start afresh.
      response.putHeader(HttpHeaders.CONNECTION, "close");
    }
    response.setStatusCode(status).putHeader(Wire.ERROR, code);
    if (agentId != null) {
      response.putHeader(Wire.AGENT, agentId);
    }
    response
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .end(line.replace('\n', ' ').replace('\r', ' ') + "\n");
  }
}
