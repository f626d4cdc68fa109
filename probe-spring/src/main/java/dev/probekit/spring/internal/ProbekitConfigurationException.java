package dev.probekit.spring.internal;

import java.util.Objects;

/**
 * An invalid {@code probekit.*} setting or combination, found at start-up. {@link
 * ProbekitFailureAnalyzer} turns it into Boot's "APPLICATION FAILED TO START" report: the
 * description says what is wrong, the action names the property to change. No stack trace.
 */
public final class ProbekitConfigurationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String property;
  private final String action;

  /**
   * A failure about {@code property}.
   *
   * @param property the property to change, such as {@code probekit.details-token}
   * @param description what is wrong, in one or two sentences
   * @param action what to do, naming the property
   */
  public ProbekitConfigurationException(String property, String description, String action) {
    super(description);
    this.property = Objects.requireNonNull(property, "property");
    this.action = Objects.requireNonNull(action, "action");
  }

  /** The property to change. */
  public String property() {
    return property;
  }

  /** What to do. */
  public String action() {
    return action;
  }
}
