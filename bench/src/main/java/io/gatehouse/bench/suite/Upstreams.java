package io.gatehouse.bench.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * nginx from Debian as the HTTP upstream, serving {@code /small} (1 KiB) and {@code /64k} (64 KiB)
 * from files, with keep-alive and no access log; two workers (one per core).
 */
final class Upstreams {
  static final int SMALL_BYTES = 1024;
  static final int LARGE_BYTES = 64 * 1024;

  private Upstreams() {}

  static Child nginx(Path work, int port) throws IOException {
    Path dir = Files.createDirectories(work.resolve("nginx"));
    Path www = Files.createDirectories(dir.resolve("www"));
    Files.write(www.resolve("small"), body(SMALL_BYTES));
    Files.write(www.resolve("64k"), body(LARGE_BYTES));
    Files.createDirectories(dir.resolve("tmp"));
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "worker_processes 2;",
            "daemon off;",
            "pid " + dir.resolve("nginx.pid") + ";",
            "error_log " + dir.resolve("error.log") + " warn;",
            "events { worker_connections 4096; }",
            "http {",
            "  access_log off;",
            "  keepalive_requests 10000000;",
            "  keepalive_timeout 120s;",
            "  default_type application/octet-stream;",
            "  client_body_temp_path " + dir.resolve("tmp") + ";",
            "  server {",
            "    listen 127.0.0.1:" + port + ";",
            "    root " + www + ";",
            "    location / { }",
            "  }",
            "}",
            ""));
    Child nginx =
        Child.start(
            "nginx",
            work,
            List.of(
                "nginx",
                "-e",
                dir.resolve("error.log").toString(),
                "-p",
                dir.toString(),
                "-c",
                conf.toString()));
    Waits.until(
        "nginx on 127.0.0.1:" + port,
        Duration.ofSeconds(10),
        () -> {
          nginx.requireAlive();
          return RawHttp.get(port, "127.0.0.1", "/small", null).status() == 200;
        });
    return nginx;
  }

  private static byte[] body(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) ('a' + i % 26);
    }
    return b;
  }
}
