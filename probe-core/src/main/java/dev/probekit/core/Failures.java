package dev.probekit.core;

/**
 * Describes what user code threw, without ever throwing itself: a {@code getMessage()} or {@code
 * toString()} that throws (or an object whose {@code toString()} does) falls back to the class
 * name. Used wherever a failure of user code is logged or summarized on the shutdown path.
 */
final class Failures {
  private Failures() {}

  /** {@code SimpleName: message}, or the class name alone if the message cannot be read. */
  static String describe(Throwable t) {
    if (t == null) {
      return "null";
    }
    try {
      String message = t.getMessage();
      String type = t.getClass().getSimpleName();
      return message == null ? type : type + ": " + message;
    } catch (Throwable unreadable) {
      return t.getClass().getName();
    }
  }

  /** {@code o.toString()}, or its class name if that throws. */
  static String name(Object o) {
    if (o == null) {
      return "null";
    }
    try {
      return String.valueOf(o);
    } catch (Throwable unreadable) {
      return o.getClass().getName();
    }
  }

  /**
   * {@code t} if a logger can print it (its and its causes' {@code toString()} work), else a
   * stand-in carrying its class name and stack trace, so that logging the failure cannot fail.
   */
  static Throwable loggable(Throwable t) {
    try {
      int depth = 0;
      for (Throwable c = t; c != null && depth < 32; c = c.getCause(), depth++) {
        c.toString();
        for (Throwable s : c.getSuppressed()) {
          s.toString();
        }
      }
      return t;
    } catch (Throwable unprintable) {
      Throwable standIn =
          new IllegalStateException(t.getClass().getName() + " (its message could not be read)");
      try {
        standIn.setStackTrace(t.getStackTrace());
      } catch (Throwable ignored) {
        // Without a stack trace the stand-in still names the class.
      }
      return standIn;
    }
  }
}
