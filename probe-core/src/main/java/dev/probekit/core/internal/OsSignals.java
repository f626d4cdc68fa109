package dev.probekit.core.internal;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Operating-system signal handling. It rests on {@code sun.misc.Signal}, the only JDK API for it,
 * used only in a package-private class: no signature here names it, so the Javadoc of the public
 * API (which reads this class's signatures) never parses the unsupported API.
 */
public final class OsSignals {

  private OsSignals() {}

  /**
   * Replaces the JVM's handler of signal {@code name}. The JVM runs each delivery on a new thread,
   * which calls {@code handler}. A signal the process inherited as ignored (as under {@code nohup})
   * stays ignored: the JVM installs no handler for it.
   *
   * @param name the signal's name without {@code SIG}, such as {@code "TERM"}
   * @param handler called once per delivery
   * @throws IllegalArgumentException if the signal is unknown or reserved by the JVM
   * @throws UnsupportedOperationException if the platform cannot handle it
   */
  public static void handle(String name, Consumer<Caught> handler) {
    SunMiscSignals.handle(name, Objects.requireNonNull(handler, "handler"));
  }

  /** One delivery of a signal, with the handler that was installed before ours. */
  public interface Caught {

    /** {@return the signal's name without {@code SIG}, such as {@code "TERM"}} */
    String getName();

    /** {@return the signal's number, such as 15} */
    int getNumber();

    /**
     * Does what would have happened without our handler: calls the previous handler (the JVM's
     * own exits with 128 + the signal's number), or exits with that status when there was only the
     * default; does nothing when the signal was ignored before.
     *
     * @return {@code false} when the signal was ignored before and nothing was done
     */
    boolean passOn();
  }
}
