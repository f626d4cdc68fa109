package dev.probekit.core.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Describes failures for people: one line, secrets masked, bounded in length, and never throwing.
 * Every place that turns a {@link Throwable} or a check's message into text that leaves the
 * library goes through here.
 *
 * <p>A {@code Throwable} is user code: its {@code getMessage()}, {@code toString()} or {@code
 * getCause()} may throw (a lazily built message, a broken override). A description that threw
 * would make a failing check look healthy or kill the thread that reports it, so each call into
 * the throwable is guarded and falls back to the class name.
 */
public final class Failures {
  /** The longest description; longer ones are cut and end with {@code ...}. */
  public static final int MAX_LENGTH = 300;

  /** What replaces a control or otherwise unprintable character. */
  public static final char REPLACEMENT = '\uFFFD';

  /** Wrappers that say nothing themselves: their cause is described instead. */
  private static final int MAX_UNWRAP = 8;

  private Failures() {}

  /**
   * {@code java.io.IOException: connection refused}: the class name and message, never a stack
   * trace; see {@link #clean(String)} for what is done to the text. Wrappers ({@code
   * ExecutionException}, {@code CompletionException}, {@code InvocationTargetException}, {@code
   * UndeclaredThrowableException}) are replaced by their cause. Never throws.
   *
   * @param error the failure, may be {@code null}
   */
  public static String describe(Throwable error) {
    return describe(error, true);
  }

  /**
   * {@code IOException: connection refused}: {@link #describe(Throwable)} with the class's simple
   * name, for progress lines where the package is noise. Never throws.
   *
   * @param error the failure, may be {@code null}
   */
  public static String describeBriefly(Throwable error) {
    return describe(error, false);
  }

  private static String describe(Throwable error, boolean qualified) {
    return clean(text(error, qualified));
  }

  /**
   * The raw text behind {@link #describe(Throwable)}: not masked, not cut, maybe on several lines.
   * Only for a caller that masks more than {@link #clean(String, String...)} can (such as a URL
   * it knows) and then passes the result through {@code clean}. Never throws.
   *
   * @param error the failure, may be {@code null}
   * @param qualified the class's full name, or its simple name
   */
  public static String text(Throwable error, boolean qualified) {
    if (error == null) {
      return "unknown error";
    }
    Throwable e = unwrap(error);
    String type = e.getClass().getName();
    if (!qualified) {
      try {
        String simple = e.getClass().getSimpleName();
        // An anonymous class has no simple name.
        type = simple.isEmpty() ? type : simple;
      } catch (Throwable malformed) {
        // Some generated class names make getSimpleName throw; the full name is fine.
      }
    }
    String message;
    try {
      message = e.getMessage();
    } catch (Throwable broken) {
      // Falls back to the class name; even an OutOfMemoryError here must not escape a description.
      message = null;
    }
    return message == null ? type : type + ": " + message;
  }

  private static Throwable unwrap(Throwable error) {
    Throwable e = error;
    for (int i = 0; i < MAX_UNWRAP && isWrapper(e); i++) {
      Throwable cause;
      try {
        cause = e.getCause();
      } catch (Throwable broken) {
        // The wrapper itself is then what we describe.
        return e;
      }
      if (cause == null || cause == e) {
        return e;
      }
      e = cause;
    }
    return e;
  }

  private static boolean isWrapper(Throwable e) {
    return e instanceof ExecutionException
        || e instanceof CompletionException
        || e instanceof InvocationTargetException
        || e instanceof UndeclaredThrowableException;
  }

  /**
   * Makes {@code text} fit to print anywhere: secrets masked ({@link Secrets#redact(String,
   * String...)}), on one line ({@link #oneLine(String)}), at most {@value #MAX_LENGTH} characters.
   *
   * @param text any text, may be {@code null} (returned as is)
   * @param secrets values to mask literally, such as a password
   */
  public static String clean(String text, String... secrets) {
    if (text == null) {
      return null;
    }
    // Masked before it is cut: a cut through "//user:pass@" would leave the password unmasked.
    String out = oneLine(Secrets.redact(text, secrets));
    if (out.length() <= MAX_LENGTH) {
      return out;
    }
    int end = MAX_LENGTH;
    if (Character.isHighSurrogate(out.charAt(end - 1))) {
      end--;
    }
    return out.substring(0, end) + "...";
  }

  /**
   * {@code text} with every character a terminal or a line-based reader could act on replaced:
   * CR, LF and TAB by a space; every other C0 control, DEL, every C1 control (U+0080 to U+009F,
   * NEL included), U+2028, U+2029 and lone surrogates by U+FFFD. A reason then cannot forge lines
   * of a verbose body or a log, nor move a terminal's cursor or change its colours.
   *
   * @param text any text, not {@code null}
   */
  public static String oneLine(String text) {
    int n = text.length();
    int i = 0;
    while (i < n && isPrintable(text, i)) {
      i += Character.isHighSurrogate(text.charAt(i)) ? 2 : 1;
    }
    if (i >= n) {
      return text;
    }
    StringBuilder sb = new StringBuilder(n).append(text, 0, i);
    while (i < n) {
      char c = text.charAt(i);
      if (isPrintable(text, i)) {
        boolean pair = Character.isHighSurrogate(c);
        sb.append(c);
        if (pair) {
          sb.append(text.charAt(i + 1));
          i++;
        }
      } else {
        sb.append(c == '\r' || c == '\n' || c == '\t' ? ' ' : REPLACEMENT);
      }
      i++;
    }
    return sb.toString();
  }

  /** Whether the character at {@code i} (a whole surrogate pair if it starts one) is printable. */
  private static boolean isPrintable(String text, int i) {
    char c = text.charAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
      return false;
    }
    if (Character.isHighSurrogate(c)) {
      return i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
    }
    return !Character.isLowSurrogate(c);
  }
}
