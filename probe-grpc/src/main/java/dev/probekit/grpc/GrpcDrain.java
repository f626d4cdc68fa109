package dev.probekit.grpc;

import dev.probekit.core.lifecycle.DrainPhase;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.grpc.internal.InflightInterceptor;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Drains an application's gRPC server in the {@link Lifecycle}'s sequence.
 *
 * <pre>
 *  ANNOUNCE         readiness DOWN: Check("readiness") and Check("") answer NOT_SERVING,
 *                   watchers of both are told at once
 *  PRE_STOP_DELAY   the server keeps serving while Envoy and kube-proxy notice
 *  STOP_ACCEPTING   watchers get NOT_SERVING and are completed; server.shutdown(): the listener
 *                   closes and every connection gets a GOAWAY, so clients open new calls
 *                   elsewhere while calls already started run on
 *  DRAIN            the lifecycle waits for in-flight RPCs (counted by {@link #interceptor})
 *  SHUTDOWN_TASKS   server.shutdownNow() cancels what is left, then awaits termination
 * </pre>
 */
public final class GrpcDrain {

  private GrpcDrain() {}

  /**
   * A server interceptor that counts every RPC except the health service's into {@code
   * lifecycle.inflight()}, from the call's start until its status has been sent or it was
   * cancelled. Install it on the whole server ({@code ServerBuilder.intercept}).
   *
   * @param lifecycle the lifecycle whose drain waits for the calls
   * @return the interceptor
   */
  public static ServerInterceptor interceptor(Lifecycle lifecycle) {
    return new InflightInterceptor(Objects.requireNonNull(lifecycle, "lifecycle").inflight());
  }

  /**
   * Registers {@code server}'s steps with {@code lifecycle}: at {@link DrainPhase#STOP_ACCEPTING}
   * the health service's watchers are completed and the server shut down (GOAWAY, in-flight calls
   * continue); as a shutdown task, once the drain is over, whatever is left is cancelled and the
   * server awaited. Register the server before what its calls use, so it stops first.
   *
   * @param lifecycle the lifecycle
   * @param name for logs and the summary, such as {@code "grpc"}
   * @param server the application's started server
   * @param health the health service added to it, or {@code null} if it has none
   */
  public static void register(
      Lifecycle lifecycle, String name, Server server, ProbeHealthService health) {
    Objects.requireNonNull(lifecycle, "lifecycle");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(server, "server");
    lifecycle.onStopAccepting(
        name,
        () -> {
          if (health != null) {
            health.completeWatchers();
          }
          server.shutdown();
        });
    lifecycle.addShutdownTask(
        name,
        Lifecycle.DEFAULT_TASK_TIMEOUT,
        () -> {
          server.shutdownNow();
          if (!server.awaitTermination(
              Lifecycle.DEFAULT_TASK_TIMEOUT.minus(Duration.ofMillis(100)).toMillis(),
              TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("gRPC server did not terminate");
          }
          if (health != null) {
            health.close();
          }
        });
  }
}
