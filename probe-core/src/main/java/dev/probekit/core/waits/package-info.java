/**
 * Waiting for dependencies at start-up: {@link dev.probekit.core.waits.Waits} retries each {@link
 * dev.probekit.core.waits.DependencyWait} (TCP, HTTP, JDBC or any check) with backoff until it is
 * met or the deadline passes, and then fails with a {@link
 * dev.probekit.core.waits.DependencyWaitException} that names what was missing. A SIGTERM during
 * the wait ends it at once.
 */
package dev.probekit.core.waits;
