/**
 * The built-in health checks, made by {@link dev.probekit.core.checks.Checks}: reachability of a
 * TCP port, an HTTP endpoint or a JDBC database, free disk space, heap after GC, deadlocked
 * threads, and a {@link dev.probekit.core.checks.Watchdog} that a loop pets. Each is an ordinary
 * {@link dev.probekit.core.HealthCheck}; none holds a secret in its name or its results.
 *
 * <p>The only package of probe-core that uses {@code java.net.http} and {@code java.sql}.
 */
package dev.probekit.core.checks;
