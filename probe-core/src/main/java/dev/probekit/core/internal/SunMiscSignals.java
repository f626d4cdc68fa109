package dev.probekit.core.internal;

import java.util.function.Consumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** {@link OsSignals} on {@code sun.misc.Signal}. */
final class SunMiscSignals implements OsSignals.Caught {
  private final Signal signal;
  private final SignalHandler previous;

  private SunMiscSignals(Signal signal, SignalHandler previous) {
    this.signal = signal;
    this.previous = previous;
  }

  static void handle(String name, Consumer<OsSignals.Caught> handler) {
    // The previous handler is known only once handle() returns; no delivery reaches us before.
    SignalHandler[] previous = new SignalHandler[1];
    previous[0] =
        Signal.handle(
            new Signal(name), signal -> handler.accept(new SunMiscSignals(signal, previous[0])));
  }

  @Override
  public String getName() {
    return signal.getName();
  }

  @Override
  public int getNumber() {
    return signal.getNumber();
  }

  @Override
  public boolean passOn() {
    if (previous != null && previous != SignalHandler.SIG_DFL && previous != SignalHandler.SIG_IGN) {
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
