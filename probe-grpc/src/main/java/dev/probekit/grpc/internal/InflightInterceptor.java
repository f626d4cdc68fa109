package dev.probekit.grpc.internal;

import dev.probekit.core.lifecycle.InflightTracker;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.health.v1.HealthGrpc;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts every RPC except the health service's own into an {@link InflightTracker}: entered when
 * the call starts, exited exactly once when grpc-java reports it complete (its status sent) or
 * cancelled, so a drain that sees zero has lost no response.
 */
public final class InflightInterceptor implements ServerInterceptor {
  private final InflightTracker tracker;

  /**
   * An interceptor counting into {@code tracker}.
   *
   * @param tracker the lifecycle's tracker
   */
  public InflightInterceptor(InflightTracker tracker) {
    this.tracker = tracker;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (HealthGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())) {
      // Probes are not application requests, as on the HTTP side.
      return next.startCall(call, headers);
    }
    tracker.enter();
    AtomicBoolean exited = new AtomicBoolean();
    ServerCall.Listener<ReqT> delegate;
    try {
      delegate = next.startCall(call, headers);
    } catch (RuntimeException | Error e) {
      if (exited.compareAndSet(false, true)) {
        tracker.exit();
      }
      throw e;
    }
    return new SimpleForwardingServerCallListener<ReqT>(delegate) {
      @Override
      public void onComplete() {
        try {
          super.onComplete();
        } finally {
          exit();
        }
      }

      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } finally {
          exit();
        }
      }

      private void exit() {
        if (exited.compareAndSet(false, true)) {
          tracker.exit();
        }
      }
    };
  }

  @Override
  public String toString() {
    return "InflightInterceptor{" + tracker + '}';
  }
}
