package dev.probekit.core.internal;

import java.util.Objects;
import java.util.function.Consumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Operating-system signal handling on {@code sun.misc.Signal}, the only JDK API for it. Kept here,
 * away from the public types, so that the unsupported API appears in one small class that the
 * Javadoc of the public API does not parse.
 */
public final class OsSignals {

  private OsSignals() {}

  /**
   * Replaces the JVM's handler of signal {@code name}. The JVM runs each delivery on a new thread,
   * which calls {@code handler}.
   *
   * @param name the signal's name without {@code SIG}, such as {@code "TERM"}
   * @param handler called once per delivery
   * @throws IllegalArgumentException if the signal is unknown or reserved by the JVM
   * @throws UnsupportedOperationException if the platform cannot handle it
   */
  public static void handle(String name, Consumer<Caught> handler) {
    Objects.requireNonNull(handler, "handler");
    // The previous handler is known only once handle() returns; a delivery cannot run before.
    SignalHandler[] previous = new SignalHandler[1];
    previous[0] =
        Signal.handle(new Signal(name), signal -> handler.accept(new Caught(signal, previous[0])));
  }

  /** One delivery of a signal, with the handler that was installed before ours. */
  public static final class Caught {
    private final Signal signal;
    private final SignalHandler previous;

    Caught(Signal signal, SignalHandler previous) {
      this.signal = signal;
      this.previous = previous;
    }

    /** {@return the signal's name without {@code SIG}, such as {@code "TERM"}} */
    public String getName() {
      return signal.getName();
    }

    /** {@return the signal's number, such as 15} */
    public int getNumber() {
      return signal.getNumber();
    }

    /**
     * Does what would have happened without our handler: calls the previous handler (the JVM's
     * own exits with 128 + the signal's number), or exits with that status when there was only the
     * default; does nothing when the signal was ignored before.
     *
     * @return {@code false} when the signal was ignored before and nothing was done
     */
    public boolean passOn() {
      if (previous != null
          && previous != SignalHandler.SIG_DFL
          && previous != SignalHandler.SIG_IGN) {
        // Hand the signal to whoever handled it before us (the JVM's own handler exits with 143).
        previous.handle(signal);
      } else if (previous != SignalHandler.SIG_IGN) {
        System.exit(128 + signal.getNumber());
      } else {
        return false;
      }
      return true;
    }
  }
}
