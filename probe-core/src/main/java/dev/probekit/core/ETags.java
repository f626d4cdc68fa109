package dev.probekit.core;

/**
 * The entity tags of probe answers, which name the answer's status: {@code "up"} for a 200 and
 * {@code "down"} for a 503. A plain-text body without {@code ?verbose} is fully decided by that
 * status, so its tag is strong; other representations (verbose, JSON, health+json) carry timings
 * and reasons that change while the status does not, so theirs is weak ({@code W/"up"}).
 * {@code If-None-Match} compares weakly (RFC 9110 §13.1.2), so either form matches either.
 */
final class ETags {
  static final String UP = "\"up\"";
  static final String DOWN = "\"down\"";
  static final String WEAK_UP = "W/\"up\"";
  static final String WEAK_DOWN = "W/\"down\"";

  private ETags() {}

  /** The tag of an answer with {@code status}, or {@code null} if it is not a probe verdict. */
  static String of(int status, boolean strong) {
    if (status == 200) {
      return strong ? UP : WEAK_UP;
    }
    if (status == 503) {
      return strong ? DOWN : WEAK_DOWN;
    }
    return null;
  }

  /**
   * Whether an {@code If-None-Match} value names {@code etag}: {@code *}, or a comma-separated list
   * holding it, compared weakly. Allocation-free; a malformed value simply does not match.
   */
  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null || etag == null) {
      return false;
    }
    // The opaque tag of ours, quotes included, without any W/.
    int tagStart = etag.startsWith("W/") ? 2 : 0;
    int tagLength = etag.length() - tagStart;
    int n = ifNoneMatch.length();
    int i = 0;
    while (i < n) {
      while (i < n && (ifNoneMatch.charAt(i) == ' ' || ifNoneMatch.charAt(i) == '\t'
          || ifNoneMatch.charAt(i) == ',')) {
        i++;
      }
      if (i >= n) {
        return false;
      }
      if (ifNoneMatch.charAt(i) == '*') {
        return true;
      }
      if (ifNoneMatch.startsWith("W/", i)) {
        i += 2;
      }
      if (ifNoneMatch.regionMatches(i, etag, tagStart, tagLength)
          && (i + tagLength == n || isSeparator(ifNoneMatch.charAt(i + tagLength)))) {
        return true;
      }
      // Skip this tag: a quoted string (commas inside quotes are not separators), then on.
      if (i < n && ifNoneMatch.charAt(i) == '"') {
        int close = ifNoneMatch.indexOf('"', i + 1);
        i = close < 0 ? n : close + 1;
      }
      while (i < n && ifNoneMatch.charAt(i) != ',') {
        i++;
      }
    }
    return false;
  }

  private static boolean isSeparator(char c) {
    return c == ',' || c == ' ' || c == '\t';
  }
}
