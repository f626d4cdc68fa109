/**
 * Micrometer metrics for checks, probes and the drain: {@link
 * dev.probekit.core.micrometer.ProbeMetrics}. The only package of probe-core that references
 * Micrometer, which is an optional dependency: the rest of the library runs without it on the
 * classpath.
 */
package dev.probekit.core.micrometer;
