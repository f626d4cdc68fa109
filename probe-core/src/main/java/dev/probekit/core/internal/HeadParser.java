package dev.probekit.core.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and parses an HTTP/1.x request head (RFC 9112) in a connection's input bytes, strictly:
 * anything it does not accept becomes a {@link Rejection} carrying our own short plain-text
 * answer, never an exception of the JDK's.
 */
final class HeadParser {
  /** The largest request head accepted, request line and header fields: {@value} bytes. */
  static final int MAX_HEAD_BYTES = 8 * 1024;

  /** The most header fields accepted in one head: {@value}. */
  static final int MAX_HEADER_FIELDS = 100;

  /**
   * The largest body a request may declare: {@value} bytes. We never read bodies, only discard them
   * while closing so the peer sees our answer; a larger one gets 413 rather than our time.
   */
  static final long MAX_DISCARDED_BODY = 64 * 1024;

  static final HttpAnswer BAD_REQUEST_LINE = HttpAnswer.text(400, "malformed request line");
  static final HttpAnswer BAD_TARGET = HttpAnswer.text(400, "malformed request target");
  static final HttpAnswer BAD_HEADER = HttpAnswer.text(400, "malformed header field");
  static final HttpAnswer BAD_HOST = HttpAnswer.text(400, "exactly one Host header expected");
  static final HttpAnswer BAD_LENGTH = HttpAnswer.text(400, "malformed Content-Length");
  static final HttpAnswer BAD_FRAMING = HttpAnswer.text(400, "conflicting body framing");
  static final HttpAnswer BODY_TOO_LARGE = HttpAnswer.text(413, "request body too large");
  static final HttpAnswer TARGET_TOO_LONG = HttpAnswer.text(414, "URI too long");
  static final HttpAnswer HEAD_TOO_LARGE = HttpAnswer.text(431, "request header fields too large");
  static final HttpAnswer BAD_VERSION = HttpAnswer.text(505, "HTTP version not supported");

  /** A request we answer with {@code answer} and then close; no stack trace, it is not a bug. */
  static final class Rejection extends Exception {
    private static final long serialVersionUID = 1L;
    final transient HttpAnswer answer;

    Rejection(HttpAnswer answer) {
      super(null, null, false, false);
      this.answer = answer;
    }
  }

  private HeadParser() {}

  /**
   * The number of leading empty lines' bytes (CR, LF) in {@code buf[0..length)}, which RFC 9112
   * section 2.2 lets a server skip before a request line.
   */
  static int leadingEmptyLines(byte[] buf, int length) {
    int i = 0;
    while (i < length && (buf[i] == '\r' || buf[i] == '\n')) {
      i++;
    }
    return i;
  }

  /**
   * Where the head in {@code buf[0..length)} ends (just past its empty line), or -1 if it has not
   * ended yet; scanning resumes at {@code from} so a head that trickles in is scanned once.
   *
   * @throws Rejection if {@code length} reached {@link #MAX_HEAD_BYTES} without an end: 414 while
   *     the request line is still unfinished, else 431
   */
  static int endOfHead(byte[] buf, int from, int length) throws Rejection {
    for (int i = Math.max(from, 1); i < length; i++) {
      if (buf[i] == '\n' && (buf[i - 1] == '\n' || (i >= 2 && buf[i - 1] == '\r' && buf[i - 2] == '\n'))) {
        return i + 1;
      }
    }
    if (length >= MAX_HEAD_BYTES) {
      for (int i = 0; i < length; i++) {
        if (buf[i] == '\n') {
          throw new Rejection(HEAD_TOO_LARGE);
        }
      }
      throw new Rejection(TARGET_TOO_LONG);
    }
    return -1;
  }

  /**
   * Parses the head in {@code buf[0..end)}, as found by {@link #endOfHead}.
   *
   * @throws Rejection with 400, 413, 431 or 505 as RFC 9112 and our limits say
   */
  static RequestHead parse(byte[] buf, int end) throws Rejection {
    int lineEnd = lineEnd(buf, 0, end);
    int sp1 = indexOf(buf, ' ', 0, lineEnd);
    int sp2 = sp1 < 0 ? -1 : indexOf(buf, ' ', sp1 + 1, lineEnd);
    if (sp1 <= 0 || sp2 < 0) {
      throw new Rejection(BAD_REQUEST_LINE);
    }
    for (int i = 0; i < sp1; i++) {
      if (!isTokenChar(buf[i])) {
        throw new Rejection(BAD_REQUEST_LINE);
      }
    }
    int minor = version(buf, sp2 + 1, contentEnd(buf, lineEnd));
    String method = ascii(buf, 0, sp1);
    String target = target(buf, sp1 + 1, sp2);

    List<String> headers = new ArrayList<>(16);
    int pos = lineEnd + 1;
    while (true) {
      int next = lineEnd(buf, pos, end);
      int contentEnd = contentEnd(buf, next);
      if (contentEnd == pos) {
        break; // the empty line
      }
      if (headers.size() >= 2 * MAX_HEADER_FIELDS) {
        throw new Rejection(HEAD_TOO_LARGE);
      }
      header(buf, pos, contentEnd, headers);
      pos = next + 1;
    }
    String[] fields = headers.toArray(new String[0]);
    return framed(method, target, minor, fields);
  }

  /** Splits the target, checks Host and the body's framing, and builds the head. */
  private static RequestHead framed(String method, String target, int minor, String[] fields) throws Rejection {
    int hosts = 0;
    String contentLength = null;
    boolean transferEncoding = false;
    for (int i = 0; i < fields.length; i += 2) {
      String name = fields[i];
      if (name.equalsIgnoreCase("Host")) {
        hosts++;
      } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
        transferEncoding = true;
      } else if (name.equalsIgnoreCase("Content-Length")) {
        for (String value : fields[i + 1].split(",", -1)) {
          String v = value.trim();
          if (!isDigits(v) || (contentLength != null && !contentLength.equals(v))) {
            throw new Rejection(BAD_LENGTH);
          }
          contentLength = v;
        }
      }
    }
    // RFC 9112 section 3.2: a 1.1 request without exactly one Host, or any with several, is a 400.
    if (hosts > 1 || (minor == 1 && hosts == 0)) {
      throw new Rejection(BAD_HOST);
    }
    // RFC 9112 section 6.1: both framings at once is how requests are smuggled; 1.0 has no chunks.
    if (transferEncoding && (contentLength != null || minor == 0)) {
      throw new Rejection(BAD_FRAMING);
    }
    long length = contentLength == null ? 0 : Long.parseLong(contentLength);
    if (length > MAX_DISCARDED_BODY) {
      throw new Rejection(BODY_TOO_LARGE);
    }
    return new RequestHead(
        method,
        RequestTargets.rawPath(target),
        RequestTargets.rawQuery(target),
        minor,
        fields,
        transferEncoding || length > 0);
  }

  /** 1 or 0 for HTTP/1.1 or HTTP/1.0. */
  private static int version(byte[] buf, int from, int to) throws Rejection {
    String version = ascii(buf, from, to);
    if (version.equals("HTTP/1.1")) {
      return 1;
    }
    if (version.equals("HTTP/1.0")) {
      return 0;
    }
    if (version.matches("HTTP/[0-9]{1,3}(\\.[0-9]{1,3})?")) {
      throw new Rejection(BAD_VERSION);
    }
    throw new Rejection(BAD_REQUEST_LINE);
  }

  /**
   * The target, checked: visible ASCII, and the origin form, {@code *}, or the absolute form with
   * an {@code http}/{@code https} scheme and an authority ({@code http://host/livez}, which RFC
   * 9112 section 3.2.2 says a server must accept; its authority replaces Host, which we do not
   * use). {@link RequestTargets} takes the path and query from it.
   */
  private static String target(byte[] buf, int from, int to) throws Rejection {
    if (from >= to) {
      throw new Rejection(BAD_TARGET);
    }
    for (int i = from; i < to; i++) {
      // Visible ASCII only: no NUL, no control, no raw UTF-8, no second space.
      if (buf[i] < 0x21 || buf[i] > 0x7e) {
        throw new Rejection(BAD_TARGET);
      }
    }
    String target = ascii(buf, from, to);
    if (target.charAt(0) == '/' || target.equals("*")) {
      return target;
    }
    int schemeEnd = target.indexOf("://");
    String scheme = schemeEnd < 0 ? "" : target.substring(0, schemeEnd);
    if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
      throw new Rejection(BAD_TARGET);
    }
    int authority = schemeEnd + 3;
    int pathStart = authority;
    while (pathStart < target.length() && target.charAt(pathStart) != '/' && target.charAt(pathStart) != '?') {
      pathStart++;
    }
    if (pathStart == authority) {
      throw new Rejection(BAD_TARGET);
    }
    return target;
  }

  /** Adds one {@code name: value} field to {@code headers}, name and value in turn. */
  private static void header(byte[] buf, int from, int to, List<String> headers) throws Rejection {
    int colon = indexOf(buf, ':', from, to);
    // No name, whitespace before the colon, or a folded line (RFC 9112 sections 5.1 and 5.2).
    if (colon <= from) {
      throw new Rejection(BAD_HEADER);
    }
    for (int i = from; i < colon; i++) {
      if (!isTokenChar(buf[i])) {
        throw new Rejection(BAD_HEADER);
      }
    }
    int start = colon + 1;
    int stop = to;
    while (start < stop && (buf[start] == ' ' || buf[start] == '\t')) {
      start++;
    }
    while (stop > start && (buf[stop - 1] == ' ' || buf[stop - 1] == '\t')) {
      stop--;
    }
    for (int i = start; i < stop; i++) {
      int b = buf[i] & 0xff;
      if ((b < 0x20 && b != '\t') || b == 0x7f) {
        throw new Rejection(BAD_HEADER);
      }
    }
    headers.add(ascii(buf, from, colon));
    headers.add(new String(buf, start, stop - start, StandardCharsets.ISO_8859_1));
  }

  /** The index of the LF ending the line that starts at {@code from}. */
  private static int lineEnd(byte[] buf, int from, int end) {
    int lf = indexOf(buf, '\n', from, end);
    return lf < 0 ? end - 1 : lf;
  }

  /** The end of a line's content: before its CR, if the LF at {@code lf} has one. */
  private static int contentEnd(byte[] buf, int lf) {
    return lf > 0 && buf[lf - 1] == '\r' ? lf - 1 : lf;
  }

  private static int indexOf(byte[] buf, char c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (buf[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isDigits(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** RFC 9110 section 5.6.2 tchar. */
  private static boolean isTokenChar(byte b) {
    if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')) {
      return true;
    }
    return b > 0x20 && b < 0x7f && "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
  }

  private static String ascii(byte[] buf, int from, int to) {
    return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
  }
}
