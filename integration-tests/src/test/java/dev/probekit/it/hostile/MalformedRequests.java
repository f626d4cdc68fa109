package dev.probekit.it.hostile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates malformed (and some well-formed) HTTP/1.x requests as raw bytes, from a seed, so a
 * failing input reproduces exactly: random methods, paths with stray {@code %}, {@code ..}, NUL and
 * UTF-8 bytes, over-long request lines and headers, bad headers, bad framing, truncation.
 */
final class MalformedRequests {
  private static final List<String> METHODS =
      List.of(
          "GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH",
          "CONNECT", "get", "G\u0000T", "GETT", "", " GET", "PRI", "BREW", "X".repeat(300),
          "\u00e9T", "G E T");
  private static final List<String> PATHS =
      List.of(
          "/livez", "/readyz", "/startupz", "/healthz", "/livez/ping", "/readyz/db",
          "/readyz/%", "/readyz/%zz", "/readyz/%e9", "/readyz/%c3%a9", "/readyz/%00", "/%",
          "/%%", "/livez%", "/livez%2", "/livez/..", "/livez/../readyz", "/../../etc/passwd",
          "/livez/%2e%2e/%2e%2e", "/readyz//", "/readyz/", "//livez", "/livez\u0000",
          "/livez/\u0000x", "/readyz/\u00e9", "/readyz/\ud83d\ude00", "/\u00ff\u00fe", "*",
          "http://127.0.0.1/livez", "http://[::1", "livez", "", "/ livez", "/livez#frag",
          "/healthz/a/b/c", "/livez\t", "/readyz\r", "/\u0085");
  private static final List<String> QUERIES =
      List.of(
          "", "", "", "?verbose", "?format=json", "?exclude=db", "?exclude=db&exclude=x&verbose",
          "?exclude=%", "?exclude=%zz", "?%", "?verbose=%G0", "?=&&==", "?exclude=%00",
          "?exclude=\u00e9", "?format=xml", "?verbose&verbose&verbose", "?a=%c3%28", "??", "?#");
  private static final List<String> VERSIONS =
      List.of(
          "HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "HTTP/9.9",
          "HTTP/1", "HTTP/1.1.1", "http/1.1", "HTTPS/1.1", "", "HTTP/", "HTTP/1.1 extra");
  private static final List<String> BAD_HEADERS =
      List.of(
          "NoColonHere", ": empty-name", "Bad Name: x", "X-Nul: a\u0000b", " Leading: space",
          "Content-Length: -1", "Content-Length: abc", "Content-Length: 99999999999999999999",
          "Content-Length: 5", "Content-Length: 1\r\nContent-Length: 2",
          "Transfer-Encoding: chunked", "Transfer-Encoding: gzip, chunked",
          "Transfer-Encoding: xyz", "Expect: 100-continue", "Expect: nonsense",
          "Connection: close", "Connection: keep-alive, Upgrade", "Upgrade: h2c",
          "Host: \u00e9\u00e9", "Host:", "Accept: application/json", "Accept: */*",
          "Accept: " + "a".repeat(5000), "User-Agent: kube-probe/1.32", "X-Utf8: \u00e9\ud83d\ude00",
          "Authorization: Bearer secret", "X-Fold: a\r\n continued", "X-Ctl: \u0001\u0002\u007f");

  private final SplittableRandom random;

  MalformedRequests(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** One generated request; the client half-closes after sending it, so the server sees EOF. */
  record Request(int index, String kind, byte[] bytes) {}

  /** The next request; {@code index} only labels it. */
  Request next(int index) {
    int kind = random.nextInt(10);
    return switch (kind) {
      case 0 -> new Request(index, "garbage", garbage());
      case 1 -> new Request(index, "long-line", longLine());
      case 2 -> new Request(index, "long-header", longHeaders());
      case 3 -> truncate(new Request(index, "truncated", request()));
      case 4 -> new Request(index, "pipelined", concat(request(), request()));
      default -> new Request(index, "request", request());
    };
  }

  private byte[] request() {
    StringBuilder line = new StringBuilder();
    line.append(pick(METHODS)).append(random.nextInt(20) == 0 ? "  " : " ");
    line.append(path()).append(pick(QUERIES));
    String version = pick(VERSIONS);
    if (!version.isEmpty()) {
      line.append(' ').append(version);
    }
    String eol = random.nextInt(8) == 0 ? "\n" : "\r\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, line.toString(), eol);
    if (random.nextInt(6) != 0) {
      write(out, "Host: 127.0.0.1", eol);
    }
    int headers = random.nextInt(4);
    for (int i = 0; i < headers; i++) {
      write(out, pick(BAD_HEADERS), eol);
    }
    write(out, "", eol);
    if (random.nextInt(5) == 0) {
      // A body that may or may not agree with the framing headers chosen above.
      byte[] body = new byte[random.nextInt(64)];
      random.nextBytes(body);
      out.writeBytes(random.nextBoolean() ? body : "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    return out.toByteArray();
  }

  private String path() {
    String base = pick(PATHS);
    int mutation = random.nextInt(6);
    if (mutation == 0) {
      int at = random.nextInt(base.length() + 1);
      return base.substring(0, at) + pick(List.of("%", "..", "\u0000", "\u00e9", "%2", "\ud83d\ude00", "/"))
          + base.substring(at);
    }
    return base;
  }

  private byte[] garbage() {
    byte[] bytes = new byte[1 + random.nextInt(512)];
    random.nextBytes(bytes);
    if (random.nextBoolean()) {
      bytes[bytes.length - 1] = '\n';
    }
    return bytes;
  }

  private byte[] longLine() {
    // Past every server's request-line limit (the JDK has none, Netty 4 KiB, Jetty/Tomcat 8 KiB).
    int length = 2_000 + random.nextInt(70_000);
    String where = pick(List.of("path", "query", "method"));
    String filler = "a".repeat(length);
    String line =
        switch (where) {
          case "path" -> "GET /readyz/" + filler + " HTTP/1.1";
          case "query" -> "GET /readyz?exclude=" + filler + " HTTP/1.1";
          default -> filler + " /livez HTTP/1.1";
        };
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, line, "\r\n");
    write(out, "Host: 127.0.0.1", "\r\n");
    write(out, "", "\r\n");
    return out.toByteArray();
  }

  private byte[] longHeaders() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, "GET " + pick(PATHS) + " HTTP/1.1", "\r\n");
    write(out, "Host: 127.0.0.1", "\r\n");
    if (random.nextBoolean()) {
      write(out, "X-Long: " + "v".repeat(10_000 + random.nextInt(60_000)), "\r\n");
    } else {
      int count = 100 + random.nextInt(400);
      for (int i = 0; i < count; i++) {
        write(out, "X-H" + i + ": " + i, "\r\n");
      }
    }
    write(out, "", "\r\n");
    return out.toByteArray();
  }

  private Request truncate(Request r) {
    int cut = r.bytes().length <= 1 ? 0 : 1 + random.nextInt(r.bytes().length - 1);
    byte[] bytes = new byte[cut];
    System.arraycopy(r.bytes(), 0, bytes, 0, cut);
    return new Request(r.index(), r.kind(), bytes);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = new byte[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private <T> T pick(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  private static void write(ByteArrayOutputStream out, String text, String eol) {
    // UTF-8 so that non-ASCII characters go out as multi-byte sequences; NUL stays one 0 byte.
    out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    out.writeBytes(eol.getBytes(StandardCharsets.US_ASCII));
  }
}
