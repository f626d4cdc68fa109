package dev.probekit.core.internal;

/**
 * The parsed head of one HTTP/1.x request (request line and header fields), as {@link HeadParser}
 * accepted it: method and target are well-formed tokens, the version is 1.0 or 1.1, header names
 * are tokens and values hold no control characters. Immutable.
 */
public final class RequestHead {
  private final String method;
  private final String rawPath;
  private final String rawQuery;
  private final int minorVersion;
  private final String[] headers;
  private final boolean hasBody;
  private final boolean keepAlive;

  RequestHead(
      String method, String rawPath, String rawQuery, int minorVersion, String[] headers, boolean hasBody) {
    this.method = method;
    this.rawPath = rawPath;
    this.rawQuery = rawQuery;
    this.minorVersion = minorVersion;
    this.headers = headers;
    this.hasBody = hasBody;
    this.keepAlive = !hasBody && wantsKeepAlive();
  }

  /** The method, case-sensitive, such as {@code "GET"}. */
  public String method() {
    return method;
  }

  /** The raw path, still percent-encoded; from an absolute-form target, its path. */
  public String rawPath() {
    return rawPath;
  }

  /** The raw query without {@code '?'}, or {@code null} if there is none. */
  public String rawQuery() {
    return rawQuery;
  }

  /** 1 for HTTP/1.1, 0 for HTTP/1.0. */
  public int minorVersion() {
    return minorVersion;
  }

  /**
   * The first value of a header, or {@code null}.
   *
   * @param name matched case-insensitively
   */
  public String header(String name) {
    for (int i = 0; i < headers.length; i += 2) {
      if (headers[i].equalsIgnoreCase(name)) {
        return headers[i + 1];
      }
    }
    return null;
  }

  /** Whether the request declares a body (Content-Length above 0, or any Transfer-Encoding). */
  public boolean hasBody() {
    return hasBody;
  }

  /**
   * Whether the peer may send another request after this one's answer: HTTP/1.1 unless it said
   * {@code Connection: close}, HTTP/1.0 only if it said {@code Connection: keep-alive}; never after
   * a body, which we do not read.
   */
  boolean keepAlive() {
    return keepAlive;
  }

  private boolean wantsKeepAlive() {
    boolean close = false;
    boolean keepAliveToken = false;
    for (int i = 0; i < headers.length; i += 2) {
      if (headers[i].equalsIgnoreCase("Connection")) {
        for (String token : headers[i + 1].split(",")) {
          String t = token.trim();
          close |= t.equalsIgnoreCase("close");
          keepAliveToken |= t.equalsIgnoreCase("keep-alive");
        }
      }
    }
    return !close && (minorVersion == 1 || keepAliveToken);
  }

  @Override
  public String toString() {
    // Never the query or the headers: they may carry tokens.
    return "RequestHead{" + method + " " + rawPath + " HTTP/1." + minorVersion + "}";
  }
}
