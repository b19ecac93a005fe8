package io.gatehouse.proxy.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** How the API answers with JSON: pretty, newline-terminated, never after the response ended. */
final class Responses {
  private Responses() {}

  static void json(RoutingContext ctx, int status, Object body) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    String text =
        body instanceof JsonObject o ? o.encodePrettily() : ((JsonArray) body).encodePrettily();
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(text + "\n");
  }
}
