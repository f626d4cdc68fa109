/**
 * Probekit's model and HTTP contract: checks are registered on a {@link
 * dev.probekit.core.HealthRegistry}, run in the background, and every change publishes an immutable
 * {@link dev.probekit.core.ProbeSnapshot} whose responses are rendered once; {@link
 * dev.probekit.core.ProbeEndpoints} answers {@code /livez}, {@code /readyz} and {@code /startupz}
 * from those snapshots for every adapter.
 *
 * <h2>The packages</h2>
 *
 * <ul>
 *   <li>{@code dev.probekit.core}: the model ({@code HealthRegistry}, {@code HealthCheck}, {@code
 *       CheckResult}, {@code CheckOptions}, {@code Probe}, {@code Status}, snapshots, listeners)
 *       and the HTTP contract ({@code ProbeEndpoints}, {@code ProbeRequest}, {@code ProbeResponse},
 *       {@code DetailsPolicy}, long-poll {@code ProbeWatch});
 *   <li>{@link dev.probekit.core.checks}: the built-in checks (TCP, HTTP, JDBC, disk, heap,
 *       deadlocks, watchdog); the only package that uses {@code java.net.http} and {@code java.sql};
 *   <li>{@link dev.probekit.core.waits}: waiting for dependencies at start-up;
 *   <li>{@link dev.probekit.core.lifecycle}: the SIGTERM drain sequence and what takes part in it;
 *   <li>{@link dev.probekit.core.server}: the built-in probe server (one thread, no dependency);
 *   <li>{@link dev.probekit.core.micrometer}: the metrics binder; the only package that references
 *       Micrometer, which stays optional;
 *   <li>{@code dev.probekit.core.internal}: implementation shared by the packages and modules;
 *       not API. Signals ({@code jdk.unsupported}) are caught there and nowhere else.
 * </ul>
 *
 * <p>The packages depend in one direction: {@code checks} and {@code lifecycle} on this one; {@code
 * waits} on those; {@code server} and {@code micrometer} on {@code lifecycle}. Nothing here depends
 * on them.
 *
 * <h2>A {@code /readyz} request, from socket to bytes</h2>
 *
 * <pre><!-- tag::readyz-route[] -->
 *   kubelet ── GET /readyz ──> server.ProbeServer's selector thread (internal.NioHttpServer)
 *     reads the head under ServerLimits (size, deadline, connection cap; hostile peers cut off)
 *     ──> ProbeEndpoints.handle(request): route by raw path; query and If-None-Match checked
 *     ──> HealthRegistry.snapshot(): one volatile read of the latest ProbeSnapshot
 *     ──> the snapshot's pre-rendered ProbeResponse for READINESS (same object until a change)
 *     ──> server.ResponseWires: identity lookup of its rendered wire bytes
 *     ──> one gathering write; no check runs, nothing is rendered, nothing is allocated
 *
 *   meanwhile, on the registry's scheduler:
 *     check due ──> run with its timeout on the check pool ──> CheckResult (a throw or hang is DOWN)
 *     ──> thresholds (CheckOptions) ──> new status? ──> new ProbeSnapshot published + listeners told
 * <!-- end::readyz-route[] --></pre>
 *
 * <p>The servlet, Netty, Spring and gRPC adapters take the same path from {@code
 * ProbeEndpoints.handle} on, with their own server in front.
 *
 * <h2>SIGTERM, from signal to exit</h2>
 *
 * <pre><!-- tag::sigterm-route[] -->
 *   SIGTERM ──> internal.OsSignals ──> lifecycle.Lifecycle.shutdown()
 *     ANNOUNCE         readiness DOWN ("shutting down"), liveness stays UP; watchers released
 *     PRE_STOP_DELAY   serve normally (Connection: close) while the load balancers notice:
 *                      fixed, or adaptive (min / quiet period / max)
 *     STOP_ACCEPTING   adapters close their listeners (their registered actions)
 *     DRAIN            wait for every DrainParticipant: in-flight requests (InflightTracker),
 *                      executors, consumers, streams; what remains at the deadline is abandoned
 *     SHUTDOWN_TASKS   ShutdownTasks in reverse registration order, each with its own timeout
 *     ──> ShutdownSummary logged (durations, drained, abandoned, failed)
 *     ──> exit 0 (clean) or 70 (degraded)
 *   a watchdog halts with 124 if the sequence overruns its budget plus half the safety margin;
 *   a /prestop hook runs the first two phases early and SIGTERM joins them.
 * <!-- end::sigterm-route[] --></pre>
 *
 * <p>Who starts what: the pre-stop hook and SIGTERM each claim the first half (ANNOUNCE,
 * PRE_STOP_DELAY) or join it, so no step runs twice whichever comes first or comes again; a
 * pre-stop run that no SIGTERM follows within the grace period is given up ("resumed"): readiness
 * comes back and the next pre-stop starts over.
 *
 * <pre><!-- tag::entry-points[] -->
 *   preStop hook ──> preStopAsync ─┐                          ┌─(no SIGTERM in the grace period)
 *   SIGTERM ──> shutdown ──> preStop (claim or join) ──> ANNOUNCE ──> PRE_STOP_DELAY ─┤   WARN, resume
 *      │                                               (skipped if never ready)        │
 *      └─ watchdog: halt(124) at budget end + margin/2                                 │
 *   second SIGTERM ──> shutdown ──> join ◄─────────────────────────────────────────────┤
 *                        STOP_ACCEPTING ──> DRAIN ──> SHUTDOWN_TASKS ──> closeLast ──> summary ──> exit
 * <!-- end::entry-points[] --></pre>
 *
 * <p>ARCHITECTURE.md, at the root of the repository, shows these drawings (checked to be these)
 * with the module and package map around them.
 *
 * <p>Every call into user code on both routes (checks, listeners, actions, tasks) is guarded
 * against any {@link java.lang.Throwable}: a failure is reported, never allowed to stop the route.
 */
package dev.probekit.core;
