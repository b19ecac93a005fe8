package io.gatehouse.proxy.api;

import io.gatehouse.proxy.ProxyException;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.relay.ErrorCode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * The web dashboard (docs/dashboard.md): plain HTML, one JavaScript module and one style sheet,
 * shipped in the jar, read once from the classpath and served from memory at {@code /} and {@code
 * /dashboard/{file}}. Every answer carries a Content-Security-Policy that lets the page load
 * scripts, styles and connections from this origin only (no inline script, no framing), and an
 * ETag: browsers revalidate on each load and get {@code 304} while the proxy runs the same version.
 */
final class Dashboard {
  private static final String ROOT = "io/gatehouse/proxy/dashboard/";
  private static final String INDEX = "index.html";
  private static final Map<String, String> TYPES =
      Map.of(
          INDEX,
          "text/html; charset=utf-8",
          "app.js",
          "text/javascript; charset=utf-8",
          "style.css",
          "text/css; charset=utf-8",
          "favicon.svg",
          "image/svg+xml");
  private static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private record Asset(Buffer body, String contentType, String etag) {}

  private final Map<String, Asset> assets;

  private Dashboard(Map<String, Asset> assets) {
    this.assets = assets;
  }

  /** Reads the files from the classpath; a missing one is a broken build and fails the start. */
  static Dashboard load() {
    Map<String, Asset> assets = new HashMap<>();
    TYPES.forEach((file, type) -> assets.put(file, read(file, type)));
    return new Dashboard(Map.copyOf(assets));
  }

  /** {@code GET /}: the page. */
  void index(RoutingContext ctx) {
    serve(ctx, assets.get(INDEX));
  }

  /** {@code GET /dashboard/:file}: a script, style sheet or icon of the page. */
  void asset(RoutingContext ctx) {
    String file = ctx.pathParam("file");
    Asset asset = INDEX.equals(file) ? null : assets.get(file);
    if (asset == null) {
      ctx.fail(new Refusal(ErrorCode.NOT_FOUND, "no dashboard file " + file));
      return;
    }
    serve(ctx, asset);
  }

  private static void serve(RoutingContext ctx, Asset asset) {
    HttpServerResponse response =
        ctx.response()
            .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
            .putHeader(HttpHeaders.ETAG, asset.etag())
            .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            .putHeader("X-Content-Type-Options", "nosniff")
            .putHeader("Referrer-Policy", "no-referrer");
    if (asset.etag().equals(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH))) {
      response.setStatusCode(304).end();
      return;
    }
    response.putHeader(HttpHeaders.CONTENT_TYPE, asset.contentType()).end(asset.body());
  }

  private static Asset read(String file, String contentType) {
    try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(ROOT + file)) {
      if (in == null) {
        throw new ProxyException(
            "the dashboard file "
                + ROOT
                + file
                + " is missing from the classpath: the proxy jar is incomplete");
      }
      byte[] bytes = in.readAllBytes();
      String etag =
          "\""
              + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8)
              + "\"";
      return new Asset(Buffer.buffer(bytes), contentType, etag);
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new ProxyException(
          "cannot read the dashboard file " + ROOT + file + ": " + e.getMessage(), e);
    }
  }
}
