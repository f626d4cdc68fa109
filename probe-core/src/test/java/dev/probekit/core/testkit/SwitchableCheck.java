package dev.probekit.core.testkit;

import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthCheck;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/** A check that returns whatever result the test last set, and counts its runs. */
public final class SwitchableCheck implements HealthCheck {
  private volatile CheckResult next;
  private final AtomicInteger runs = new AtomicInteger();

  /** @param initial the result of every run until {@link #set(CheckResult)} */
  public SwitchableCheck(CheckResult initial) {
    this.next = Objects.requireNonNull(initial, "initial");
  }

  @Override
  public CheckResult check() {
    runs.incrementAndGet();
    return next;
  }

  /** The result of every later run. */
  public void set(CheckResult result) {
    this.next = Objects.requireNonNull(result, "result");
  }

  /** How many runs have started. */
  public int runs() {
    return runs.get();
  }
}
