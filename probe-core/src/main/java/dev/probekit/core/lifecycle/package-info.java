/**
 * The graceful shutdown: {@link dev.probekit.core.lifecycle.Lifecycle} runs the {@link
 * dev.probekit.core.lifecycle.DrainPhase}s in order on SIGTERM, a pre-stop hook or a call from
 * code, and reports a {@link dev.probekit.core.lifecycle.ShutdownSummary}. What must finish before
 * the JVM exits takes part as a {@link dev.probekit.core.lifecycle.DrainParticipant}: in-flight
 * requests ({@link dev.probekit.core.lifecycle.InflightTracker}), executors, polling consumers and
 * streams; cleanup runs as {@link dev.probekit.core.lifecycle.ShutdownTask}s. The timeline is drawn
 * in the {@link dev.probekit.core} package's documentation.
 */
package dev.probekit.core.lifecycle;
