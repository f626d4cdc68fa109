package dev.probekit.core.internal;

import java.time.Duration;

/**
 * What one peer may cost {@link NioHttpServer}: how long it may take to send a request head, how
 * long an idle keep-alive connection (or one that does not read our answer) is kept, and how many
 * connections are open at once.
 *
 * @param headDeadline from the first byte of a request head to its end; else the connection closes
 * @param idleTimeout an idle keep-alive connection, or one whose peer stops reading, closes after it
 * @param maxConnections open connections at most; see {@link NioHttpServer} for what happens beyond
 */
public record ServerLimits(Duration headDeadline, Duration idleTimeout, int maxConnections) {

  /** Checks every limit. */
  public ServerLimits {
    Arguments.positive("headDeadline", headDeadline);
    Arguments.positive("idleTimeout", idleTimeout);
    Arguments.atLeastOne("maxConnections", maxConnections);
  }
}
