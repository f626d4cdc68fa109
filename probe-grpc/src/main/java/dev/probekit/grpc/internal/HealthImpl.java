package dev.probekit.grpc.internal;

import dev.probekit.core.HealthRegistry;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;

/** The generated service's two methods, over {@link ServingStatuses} and a {@link WatchHub}. */
public final class HealthImpl extends HealthGrpc.HealthImplBase {
  private final HealthRegistry health;
  private final WatchHub hub;

  /**
   * The service over {@code health}, with watchers kept in {@code hub}.
   *
   * @param health the registry
   * @param hub the watchers
   */
  public HealthImpl(HealthRegistry health, WatchHub hub) {
    this.health = health;
    this.hub = hub;
  }

  @Override
  public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> observer) {
    ServingStatus status = ServingStatuses.current(health, request.getService());
    if (status == ServingStatus.SERVICE_UNKNOWN) {
      // The protocol's answer to a name we do not know; the name is not echoed back.
      observer.onError(Status.NOT_FOUND.withDescription("unknown service").asException());
      return;
    }
    observer.onNext(ServingStatuses.response(status));
    observer.onCompleted();
  }

  @Override
  public void watch(HealthCheckRequest request, StreamObserver<HealthCheckResponse> observer) {
    hub.watch(request.getService(), observer);
  }
}
