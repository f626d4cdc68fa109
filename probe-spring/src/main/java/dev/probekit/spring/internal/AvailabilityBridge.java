package dev.probekit.spring.internal;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeListener;
import dev.probekit.core.ProbeSnapshot;
import dev.probekit.core.lifecycle.Lifecycle;
import java.util.function.Supplier;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.AvailabilityState;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.context.event.GenericApplicationListener;
import org.springframework.core.ResolvableType;

/**
 * Keeps Spring's {@link ApplicationAvailability} and Probekit's probes in step, both ways.
 *
 * <ul>
 *   <li>Probekit to Spring: a readiness (liveness) status change publishes an {@link
 *       AvailabilityChangeEvent} with {@code ACCEPTING_TRAFFIC}/{@code REFUSING_TRAFFIC} ({@code
 *       CORRECT}/{@code BROKEN}), with this bridge as its source.
 *   <li>Spring to Probekit: anyone else's {@code REFUSING_TRAFFIC} ({@code BROKEN}) sets the
 *       probe's manual override; {@code ACCEPTING_TRAFFIC} ({@code CORRECT}) clears it, unless the
 *       lifecycle is draining.
 *   <li>Start-up: readiness is held DOWN ("starting") until Spring announces {@code
 *       ACCEPTING_TRAFFIC} (after the runners), and startup until the context has refreshed.
 * </ul>
 *
 * Events whose source is this bridge are ignored, which breaks the loop.
 */
public final class AvailabilityBridge implements GenericApplicationListener, ProbeListener {

  static final String STARTING = "starting";
  static final String REFUSING = "refusing traffic (ApplicationAvailability)";
  static final String BROKEN = "broken (ApplicationAvailability)";

  private final HealthRegistry health;
  private final Supplier<Lifecycle> lifecycle;
  private final ApplicationEventPublisher publisher;
  private final Supplier<ApplicationAvailability> availability;

  public AvailabilityBridge(
      HealthRegistry health,
      Supplier<Lifecycle> lifecycle,
      ApplicationEventPublisher publisher,
      Supplier<ApplicationAvailability> availability) {
    this.health = health;
    this.lifecycle = lifecycle;
    this.publisher = publisher;
    this.availability = availability;
    holdWhileStarting(health);
    health.addProbeListener(this);
  }

  /** Holds startup and readiness DOWN ("starting") until the application has started. */
  public static void holdWhileStarting(HealthRegistry health) {
    // An override the application set itself (an operator's "maintenance") is never clobbered.
    if (health.startup().reason().isEmpty()) {
      health.startup().down(STARTING);
    }
    if (health.readiness().reason().isEmpty()) {
      health.readiness().down(STARTING);
    }
  }

  private static boolean ownReason(String reason) {
    return STARTING.equals(reason) || REFUSING.equals(reason) || BROKEN.equals(reason);
  }

  @Override
  public boolean supportsEventType(ResolvableType eventType) {
    Class<?> raw = eventType.getRawClass();
    return raw != null
        && (AvailabilityChangeEvent.class.isAssignableFrom(raw)
            || ContextRefreshedEvent.class.isAssignableFrom(raw));
  }

  @Override
  public void onApplicationEvent(ApplicationEvent event) {
    if (event instanceof ContextRefreshedEvent) {
      if (STARTING.equals(health.startup().reason().orElse(null))) {
        health.startup().clear();
      }
      return;
    }
    if (event.getSource() == this) {
      return;
    }
    Object state = ((AvailabilityChangeEvent<?>) event).getState();
    if (state == ReadinessState.REFUSING_TRAFFIC) {
      if (!draining() && health.readiness().reason().isEmpty()) {
        health.readiness().down(REFUSING);
      }
    } else if (state == ReadinessState.ACCEPTING_TRAFFIC) {
      if (!draining() && ownReason(health.readiness().reason().orElse(null))) {
        health.readiness().clear();
        // Spring now believes the application is ready; if a check still says otherwise,
        // correct it at once instead of waiting for the next status change.
        publishIfDiffers(Probe.READINESS, health.snapshot(Probe.READINESS));
      }
    } else if (state == LivenessState.BROKEN) {
      health.liveness().down(BROKEN);
    } else if (state == LivenessState.CORRECT) {
      if (ownReason(health.liveness().reason().orElse(null))) {
        health.liveness().clear();
      }
      publishIfDiffers(Probe.LIVENESS, health.snapshot(Probe.LIVENESS));
    }
  }

  @Override
  public void onProbeChange(ProbeSnapshot previous, ProbeSnapshot current) {
    current.probe().ifPresent(probe -> publishIfDiffers(probe, current));
  }

  private void publishIfDiffers(Probe probe, ProbeSnapshot snapshot) {
    AvailabilityState state;
    Class<? extends AvailabilityState> type;
    if (probe == Probe.READINESS) {
      state = snapshot.isUp() ? ReadinessState.ACCEPTING_TRAFFIC : ReadinessState.REFUSING_TRAFFIC;
      type = ReadinessState.class;
    } else if (probe == Probe.LIVENESS) {
      state = snapshot.isUp() ? LivenessState.CORRECT : LivenessState.BROKEN;
      type = LivenessState.class;
    } else {
      return;
    }
    ApplicationAvailability current = availability.get();
    if (current != null && current.getState(type) == state) {
      return;
    }
    // Before ApplicationAvailability has heard of Spring's own start-up events, a "ready" from
    // Probekit must not announce readiness that Spring has not reached yet.
    if (current != null && current.getState(type) == null && state == ReadinessState.ACCEPTING_TRAFFIC) {
      return;
    }
    AvailabilityChangeEvent.publish(publisher, this, state);
  }

  private boolean draining() {
    Lifecycle l = lifecycle.get();
    return l != null && l.isDraining();
  }

  @Override
  public String toString() {
    return "ProbekitAvailabilityBridge";
  }
}
