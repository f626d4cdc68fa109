package dev.probekit.core.internal;

/**
 * The one parser of raw request targets, used by every adapter: the raw path and raw query that
 * {@link dev.probekit.core.ProbeEndpoints} matches and decodes, taken from the target exactly as
 * the client sent it (still percent-encoded, so a malformed escape still reaches the contract and
 * is answered 400 there).
 *
 * <p>Accepts the origin form ({@code /readyz?verbose}) and the absolute form ({@code
 * http://host:8081/readyz?verbose}, which RFC 9112 section 3.2.2 says a server must accept; its
 * authority is ignored). A fragment ({@code #...}) is never part of a request target and is cut
 * off. Anything else ({@code *}, or a target that is neither form) is returned as its own path,
 * which is never a probe path. Validation of the target's characters is the server's job, before
 * this.
 */
public final class RequestTargets {
  private RequestTargets() {}

  /**
   * The raw path of {@code target}: without authority, query or fragment; {@code "/"} for an
   * absolute-form target without a path. Returns {@code target} itself (no allocation) in the
   * common case of an origin-form target with neither query nor fragment.
   *
   * @param target the request target as sent
   * @return the raw path
   */
  public static String rawPath(String target) {
    int start = pathStart(target);
    if (start < 0) {
      return target;
    }
    int end = end(target, start, true);
    if (start == end) {
      return "/";
    }
    return start == 0 && end == target.length() ? target : target.substring(start, end);
  }

  /**
   * The raw query of {@code target} without the {@code '?'} and without a fragment, or {@code
   * null} when there is none ({@code ""} for a bare {@code '?'}).
   *
   * @param target the request target as sent
   * @return the raw query, or {@code null}
   */
  public static String rawQuery(String target) {
    int start = pathStart(target);
    if (start < 0) {
      return null;
    }
    int question = end(target, start, true);
    if (question == target.length() || target.charAt(question) != '?') {
      return null;
    }
    return target.substring(question + 1, end(target, question + 1, false));
  }

  /**
   * {@code rawPath} without {@code contextPath}, such as {@code /readyz/db} for {@code
   * /app/readyz/db} in context {@code /app}; {@code rawPath} itself for an empty or null context
   * path. The servlet context path, and WebFlux's base path, which plays its part there.
   *
   * @param rawPath the raw path, still percent-encoded, or {@code null}
   * @param contextPath the context path, raw or decoded, or {@code null}
   * @return the raw path within the context; {@code null} for a {@code null} path
   */
  public static String withinContext(String rawPath, String contextPath) {
    if (rawPath == null || contextPath == null || contextPath.isEmpty()) {
      return rawPath;
    }
    if (rawPath.startsWith(contextPath)) {
      return rawPath.substring(contextPath.length());
    }
    // Some containers report the context path decoded (/app for a request to /%61pp): drop as
    // many raw segments as the context path has.
    int segments = 0;
    for (int i = 0; i < contextPath.length(); i++) {
      if (contextPath.charAt(i) == '/') {
        segments++;
      }
    }
    int at = 0;
    for (int s = 0; s < segments; s++) {
      int next = rawPath.indexOf('/', at + 1);
      if (next < 0) {
        return "";
      }
      at = next;
    }
    return rawPath.substring(at);
  }

  /**
   * Where the path starts: 0 for the origin form, after the authority for the absolute form, -1
   * for anything else.
   */
  private static int pathStart(String target) {
    if (target.startsWith("/")) {
      return 0;
    }
    int scheme = target.indexOf("://");
    if (scheme <= 0) {
      return -1;
    }
    // The authority ends at the first '/', '?' or '#' (RFC 3986 section 3.2).
    int i = scheme + 3;
    while (i < target.length()) {
      char c = target.charAt(i);
      if (c == '/' || c == '?' || c == '#') {
        break;
      }
      i++;
    }
    return i;
  }

  /** The index of the first '#' (and '?' when {@code query}) at or after {@code from}, or the length. */
  private static int end(String target, int from, boolean query) {
    for (int i = from; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c == '#' || (query && c == '?')) {
        return i;
      }
    }
    return target.length();
  }
}
