package dev.probekit.core.internal;

import java.util.regex.Pattern;

/**
 * Keeps secrets out of messages that checks report: connection strings and exception text can
 * carry passwords, which must never reach a probe body, a log line or a metric.
 */
public final class Secrets {
  /** {@code password=x}, {@code pwd=x}, {@code token: x} ... up to the next separator. */
  private static final Pattern KEY_VALUE =
      Pattern.compile(
          "(?i)\\b(password|passwd|pwd|secret|token|api[-_]?key|access[-_]?key|credentials?)"
              + "(\\s*[=:]\\s*)[^\\s;&,)\\]}\"']+");

  /** {@code //user:pass@} in a URL. */
  private static final Pattern USER_INFO = Pattern.compile("//[^/@\\s]*@");

  private static final String MASK = "****";

  private Secrets() {}

  /**
   * Masks {@code secrets} (each non-empty one, literally), {@code key=value} pairs whose key names
   * a secret, and user-info in URLs.
   *
   * @param text the text to clean, may be {@code null}
   * @param secrets values that must not appear, such as a password; {@code null}s are skipped
   * @return the text with every secret replaced by {@code ****}
   */
  public static String redact(String text, String... secrets) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (String secret : secrets) {
      if (secret != null && !secret.isEmpty()) {
        out = out.replace(secret, MASK);
      }
    }
    out = KEY_VALUE.matcher(out).replaceAll("$1$2" + MASK);
    return USER_INFO.matcher(out).replaceAll("//" + MASK + "@");
  }

  /**
   * The part of a JDBC URL that is safe to show: {@code jdbc:<subprotocol>}, such as {@code
   * jdbc:postgresql}. The rest can hold hosts, user names and passwords, in driver-specific forms
   * ({@code jdbc:oracle:thin:scott/tiger@host}) that no single rule can clean.
   *
   * @param url a JDBC URL
   */
  public static String jdbcPrefix(String url) {
    if (url == null || !url.regionMatches(true, 0, "jdbc:", 0, 5)) {
      return "jdbc";
    }
    int end = 5;
    while (end < url.length() && isSubprotocolChar(url.charAt(end))) {
      end++;
    }
    return end == 5 ? "jdbc" : url.substring(0, end);
  }

  private static boolean isSubprotocolChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  }
}
