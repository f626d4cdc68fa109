/**
 * Probekit for Spring Boot 4: auto-configuration and the {@code probekit.*} properties.
 *
 * <ul>
 *   <li>{@link dev.probekit.spring.ProbekitAutoConfiguration}: the {@code HealthRegistry},
 *       endpoints and lifecycle beans; probes on a port of their own (recommended) or on the main
 *       port (servlet through probe-servlet, or WebFlux); {@code HealthCheck} and {@link
 *       dev.probekit.spring.ProbekitCheck} beans registered; the drain joined to the context's
 *       graceful shutdown;
 *   <li>{@link dev.probekit.spring.ProbekitProperties}: every setting, checked when bound;
 *   <li>{@link dev.probekit.spring.ProbekitActuatorAutoConfiguration}: adopts Actuator health
 *       indicators as checks and shows Probekit's probes in Actuator;
 *   <li>{@link dev.probekit.spring.ProbekitMetricsAutoConfiguration}: Probekit's meters in the
 *       context's registry;
 *   <li>{@link dev.probekit.spring.ProbekitTaskDrainAutoConfiguration} and {@link
 *       dev.probekit.spring.ProbekitStreamsAutoConfiguration}: task executors, schedulers and
 *       streams as drain participants.
 * </ul>
 *
 * <p>Deciding health and timing stays in probe-core; this package only wires it.
 */
package dev.probekit.spring;
