package dev.probekit.grpc;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.internal.DaemonThreadFactory;
import dev.probekit.grpc.internal.HealthImpl;
import dev.probekit.grpc.internal.WatchHub;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The standard gRPC health service, {@code grpc.health.v1.Health}, answered from a {@link
 * HealthRegistry}'s snapshots: add it to the application's own gRPC server, or serve it on a port of its
 * own with {@link GrpcProbeServer}.
 *
 * <pre>{@code
 * ProbeHealthService probes = ProbeHealthService.of(health);
 * Server server = ServerBuilder.forPort(9090)
 *     .addService(myService)
 *     .addService(probes)
 *     .intercept(GrpcDrain.interceptor(lifecycle))
 *     .build().start();
 * GrpcDrain.register(lifecycle, "grpc", server, probes);
 * }</pre>
 *
 * <table>
 *   <caption>Service names</caption>
 *   <tr><td>{@code ""}</td><td>every probe: SERVING when liveness, readiness and startup are
 *       UP (the kubelet's default, and Envoy's)</td></tr>
 *   <tr><td>{@code liveness}, {@code readiness}, {@code startup}</td><td>that probe</td></tr>
 *   <tr><td>a check's name</td><td>that check: SERVING when UP, NOT_SERVING when DOWN, UNKNOWN
 *       before its first result</td></tr>
 *   <tr><td>anything else</td><td>{@code Check}: status {@code NOT_FOUND}; {@code Watch}:
 *       SERVICE_UNKNOWN, and the stream stays open</td></tr>
 * </table>
 *
 * <p>{@code Check} is a volatile read and a shared, pre-built message: it never runs or waits for
 * a check. {@code Watch} sends the current status at once and every change after it, in order.
 * Changes are fanned out from the registry's listeners to a small bounded queue per watcher and
 * written on an executor of this service's own, never on the registry's lock or an event loop; a
 * watcher that does not read keeps at most 16 statuses queued, the newest replaced by the latest.
 *
 * <p>Thread-safe. Close it when the server stops: {@link #close()} sends every watcher its final
 * status, NOT_SERVING, completes it, and stops the executor this service created.
 */
public final class ProbeHealthService implements BindableService, AutoCloseable {

  /** Default limit on open {@code Watch} calls: {@value}. */
  public static final int DEFAULT_MAX_WATCHERS = 10_000;

  private final WatchHub hub;
  private final HealthImpl impl;
  private final ExecutorService ownExecutor;

  private ProbeHealthService(Builder b) {
    Executor executor = b.executor;
    if (executor == null) {
      ownExecutor =
          Executors.newSingleThreadExecutor(new DaemonThreadFactory("probekit-grpc-watch"));
      executor = ownExecutor;
    } else {
      ownExecutor = null;
    }
    this.hub = new WatchHub(b.health, executor, b.maxWatchers);
    this.impl = new HealthImpl(b.health, hub);
    hub.attach();
  }

  /**
   * The service over {@code health} with every default.
   *
   * @param health the registry to answer from
   * @return the service
   */
  public static ProbeHealthService of(HealthRegistry health) {
    return builder(health).build();
  }

  /**
   * A builder for the service over {@code health}.
   *
   * @param health the registry to answer from
   * @return a new builder
   */
  public static Builder builder(HealthRegistry health) {
    return new Builder(health);
  }

  @Override
  public ServerServiceDefinition bindService() {
    return impl.bindService();
  }

  /**
   * {@code Watch} calls open now.
   *
   * @return the number of {@code Watch} calls open now
   */
  public int watchers() {
    return hub.watchers();
  }

  /**
   * Sends every open {@code Watch} its final status, NOT_SERVING, and completes it; later {@code
   * Watch} calls get the same at once. {@code Check} keeps answering from the snapshots. Called at
   * the lifecycle's stop-accepting step by {@link GrpcDrain#register}. Idempotent.
   */
  public void completeWatchers() {
    hub.completeAll();
  }

  /**
   * {@link #completeWatchers()}, then stops listening to the registry and stops the executor this
   * service created. Idempotent.
   */
  @Override
  public void close() {
    hub.completeAll();
    hub.detach();
    if (ownExecutor != null) {
      // Queued final statuses are still written: shutdown, not shutdownNow.
      ownExecutor.shutdown();
    }
  }

  /** Statuses queued for watchers and not yet written; for tests and diagnostics. */
  long pendingStatuses() {
    return hub.pending();
  }

  @Override
  public String toString() {
    return "ProbeHealthService{watchers=" + hub.watchers() + '}';
  }

  /** Builds a {@link ProbeHealthService}. Each setter checks its argument at once. */
  public static final class Builder {
    private final HealthRegistry health;
    private Executor executor;
    private int maxWatchers = DEFAULT_MAX_WATCHERS;

    Builder(HealthRegistry health) {
      this.health = Objects.requireNonNull(health, "health");
    }

    /**
     * Where {@code Watch} streams are written to; default a single daemon thread owned by the
     * service and stopped by {@link ProbeHealthService#close()}. Writing never blocks, so one
     * thread serves thousands of watchers.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * How many {@code Watch} calls may be open at once; default {@link #DEFAULT_MAX_WATCHERS}.
     * More are refused with {@code RESOURCE_EXHAUSTED}.
     *
     * @param maxWatchers the limit
     * @return this builder
     */
    public Builder maxWatchers(int maxWatchers) {
      if (maxWatchers < 0) {
        throw new IllegalArgumentException("maxWatchers: " + maxWatchers + " (expected: >= 0)");
      }
      this.maxWatchers = maxWatchers;
      return this;
    }

    /**
     * Builds the service and starts listening to the registry.
     *
     * @return the service
     */
    public ProbeHealthService build() {
      return new ProbeHealthService(this);
    }
  }
}
