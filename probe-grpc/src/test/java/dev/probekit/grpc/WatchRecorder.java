package dev.probekit.grpc;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A real {@code Watch} client that records every status it receives, in order. */
final class WatchRecorder implements ClientResponseObserver<HealthCheckRequest, HealthCheckResponse> {
  final List<ServingStatus> statuses = new CopyOnWriteArrayList<>();
  volatile boolean completed;
  volatile Throwable error;
  private final boolean reading;
  private volatile ClientCallStreamObserver<HealthCheckRequest> call;

  private WatchRecorder(boolean reading) {
    this.reading = reading;
  }

  /** Starts a watch that reads every message as it comes. */
  static WatchRecorder watch(ManagedChannel channel, String service) {
    return start(channel, service, true);
  }

  /** Starts a watch that requests no message until {@link #startReading()}. */
  static WatchRecorder watchWithoutReading(ManagedChannel channel, String service) {
    return start(channel, service, false);
  }

  private static WatchRecorder start(ManagedChannel channel, String service, boolean reading) {
    WatchRecorder r = new WatchRecorder(reading);
    HealthGrpc.newStub(channel).watch(HealthCheckRequest.newBuilder().setService(service).build(), r);
    return r;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<HealthCheckRequest> requestStream) {
    call = requestStream;
    if (!reading) {
      requestStream.disableAutoRequestWithInitial(0);
    }
  }

  void startReading() {
    call.request(Integer.MAX_VALUE);
  }

  void cancel() {
    call.cancel("test done", null);
  }

  ServingStatus last() {
    return statuses.isEmpty() ? null : statuses.get(statuses.size() - 1);
  }

  @Override
  public void onNext(HealthCheckResponse value) {
    statuses.add(value.getStatus());
  }

  @Override
  public void onError(Throwable t) {
    error = t;
  }

  @Override
  public void onCompleted() {
    completed = true;
  }
}
