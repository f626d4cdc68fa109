package dev.probekit.core.internal;

import java.util.regex.Pattern;

/**
 * The one place where Probekit masks secrets. Every text that leaves the library (log lines,
 * exception messages, probe bodies, descriptions) goes through {@link #redact(String, String...)}:
 * connection strings and exception text can carry passwords and tokens, which must never reach a
 * probe body, a log line or a metric.
 *
 * <p>What is masked, each replaced by {@value #MASK}:
 *
 * <ul>
 *   <li>the value of any {@code key=value} or {@code key: value} pair whose key contains {@code
 *       password}, {@code passwd}, {@code pwd}, {@code secret}, {@code token}, {@code apikey} /
 *       {@code api_key} / {@code api-key}, {@code access_key}, {@code private_key}, {@code
 *       credential} or {@code signature} (any case, any prefix or suffix: {@code sslpassword},
 *       {@code access_token}, {@code client_secret}, {@code X-Amz-Signature}); and of the URL
 *       parameters {@code key} and {@code sig};
 *   <li>user-info in a URL, whole ({@code //user:pass@host} becomes {@code //****@host}), and the
 *       Oracle thin form {@code jdbc:oracle:thin:user/pass@host};
 *   <li>the credentials of an {@code Authorization} value ({@code Bearer xyz}, {@code Basic
 *       xyz});
 *   <li>literally, any value handed to {@link #redact(String, String...)}, such as the password a
 *       check was given apart from its URL.
 * </ul>
 */
public final class Secrets {
  /** What a secret is replaced with. */
  public static final String MASK = "****";

  /**
   * {@code password=x}, {@code ;PWD=x}, {@code "token": "x"}, {@code access_token=x}... : a key
   * containing a secret word, an optional closing quote, {@code =} or {@code :}, then the value
   * (quoted, in braces, or up to the next separator).
   */
  private static final Pattern KEY_VALUE =
      Pattern.compile(
          "(?i)((?<![A-Za-z0-9])[A-Za-z0-9_.-]*"
              + "(?:password|passwd|pwd|secret|token|api[-_]?key|access[-_]?key|private[-_]?key"
              + "|credential|signature)"
              + "[A-Za-z0-9_.-]*[\"']?\\s*[=:]\\s*)"
              + "(\"[^\"]*\"|'[^']*'|\\{[^}]*\\}|[^\\s;&,)\\]}\"'<>]+)");

  /** A key that names a secret, such as {@code password} or {@code access_token}. */
  private static final Pattern SECRET_KEY =
      Pattern.compile(
          "(?i).*(?:password|passwd|pwd|secret|token|api[-_]?key|access[-_]?key|private[-_]?key"
              + "|credential|signature).*");

  /** {@code ?key=x}, {@code &sig=x}: short parameter names that are secrets only in a URL. */
  private static final Pattern URL_PARAMETER =
      Pattern.compile("(?i)([?&;](?:key|sig)=)[^\\s;&,)\\]}\"'<>#]+");

  /** {@code //user:pass@} in a URL: everything up to the last {@code @} before the path. */
  private static final Pattern USER_INFO = Pattern.compile("//[^/\\s@]*@(?:[^/\\s@]*@)*");

  /** {@code jdbc:oracle:thin:scott/tiger@db}: Oracle's user/password before the {@code @}. */
  private static final Pattern ORACLE =
      Pattern.compile("(?i)(jdbc:oracle:[a-z0-9]+:)(?!//|@)[^@\\s]*@");

  /** {@code Bearer xyz}, {@code Basic xyz}: the credentials of an Authorization header. */
  private static final Pattern AUTHORIZATION =
      Pattern.compile(
          "(?i)\\b(bearer|basic)(\\s+)[A-Za-z0-9._~+/=-]*[0-9._~+/=-][A-Za-z0-9._~+/=-]*");

  /** Longer texts are cut before masking: the rules are linear, but a log line need not be huge. */
  private static final int MAX_INPUT = 8192;

  private Secrets() {}

  /**
   * Masks {@code secrets} (each non-empty one, literally) and every secret the rules above find.
   * Masking an already masked text changes nothing.
   *
   * @param text the text to clean, may be {@code null}
   * @param secrets values that must not appear, such as a password; {@code null}s are skipped
   * @return the text with every secret replaced by {@value #MASK}, cut to 8192 characters
   */
  public static String redact(String text, String... secrets) {
    if (text == null) {
      return null;
    }
    String out = text.length() > MAX_INPUT ? text.substring(0, MAX_INPUT) : text;
    for (String secret : secrets) {
      if (secret != null && !secret.isEmpty()) {
        out = out.replace(secret, MASK);
      }
    }
    // Authorization first: a base64 credential can look like a key=value pair ("...pwdw==").
    out = AUTHORIZATION.matcher(out).replaceAll("$1$2" + MASK);
    out = KEY_VALUE.matcher(out).replaceAll("$1" + MASK);
    out = URL_PARAMETER.matcher(out).replaceAll("$1" + MASK);
    out = ORACLE.matcher(out).replaceAll("$1" + MASK + "@");
    return USER_INFO.matcher(out).replaceAll("//" + MASK + "@");
  }

  /**
   * Whether {@code key} (a details map's key, a property name) names a secret by the rules above,
   * so that its value is shown as {@value #MASK} whatever it holds.
   *
   * @param key the key
   */
  public static boolean isSecretKey(String key) {
    return key != null && SECRET_KEY.matcher(key).matches();
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

  /**
   * A JDBC URL as logs and messages may show it: without its properties (after the first {@code
   * ?} or {@code ;}), with user-info masked, such as {@code jdbc:postgresql://db:5432/app} or
   * {@code jdbc:oracle:thin:****@db:1521/app}.
   *
   * @param url a JDBC URL
   */
  public static String jdbcUrl(String url) {
    int end = url.length();
    for (int i = 0; i < url.length(); i++) {
      char c = url.charAt(i);
      if (c == '?' || c == ';') {
        end = i;
        break;
      }
    }
    return redact(url.substring(0, end));
  }

  private static boolean isSubprotocolChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  }
}
