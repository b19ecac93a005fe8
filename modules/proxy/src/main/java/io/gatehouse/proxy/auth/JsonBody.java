package io.gatehouse.proxy.auth;

import io.gatehouse.proxy.Refusal;
import io.gatehouse.relay.ErrorCode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The JSON object a login-style request posts, with the string fields it must carry: refused with
 * {@code 415} when it is not {@code application/json} and {@code 400} when it is not an object with
 * every field a string, each message saying what the request should look like.
 */
final class JsonBody {
  private JsonBody() {}

  /**
   * The body of {@code ctx}, for {@code what} (e.g. {@code "a login"}), which needs {@code keys}.
   *
   * @throws Refusal 415 or 400, as above
   */
  static JsonObject read(RoutingContext ctx, String what, String... keys) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw new Refusal(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          what
              + " takes Content-Type application/json: "
              + Stream.of(keys)
                  .map(k -> "\"" + k + "\": …")
                  .collect(Collectors.joining(", ", "{", "}")));
    }
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      body = null;
    }
    for (String key : keys) {
      if (body == null || !(body.getValue(key) instanceof String)) {
        throw new Refusal(
            ErrorCode.BAD_REQUEST,
            what
                + " is a JSON object with the strings "
                + Stream.of(keys).map(k -> "\"" + k + "\"").collect(Collectors.joining(" and ")));
      }
    }
    return body;
  }
}
