package dev.probekit.grpc;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Real clients, a kubelet-like probe, switchable checks and a slow unary service for tests. */
final class GrpcFixtures {
  private GrpcFixtures() {}

  /** A plaintext channel to localhost:{@code port}. */
  static ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  /** {@code Check(service)} on a channel, 20 s deadline (room for a cold client's first call). */
  static ServingStatus check(ManagedChannel channel, String service) {
    return HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(20, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build())
        .getStatus();
  }

  /**
   * What the kubelet's {@code grpc:} probe does (pkg/probe/grpc): a new plaintext connection per
   * probe with user agent {@code kube-probe/<version>}, {@code Check} with the configured {@code
   * service} and the probe's timeout (default 1 s); SERVING is success, any other status, error
   * or timeout is failure.
   */
  static boolean kubeletProbe(int port, String service) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port)
            .usePlaintext()
            .userAgent("kube-probe/1.34")
            .build();
    try {
      HealthCheckResponse response =
          HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(1, TimeUnit.SECONDS)
              .check(HealthCheckRequest.newBuilder().setService(service).build());
      return response.getStatus() == ServingStatus.SERVING;
    } catch (RuntimeException e) {
      return false;
    } finally {
      channel.shutdownNow();
    }
  }

  /** A check whose result a test sets; runs every 20 ms. */
  static final class Switch {
    final AtomicReference<CheckResult> result = new AtomicReference<>(CheckResult.up());

    static Switch register(HealthRegistry health, String name, Probe probe) {
      Switch s = new Switch();
      health.register(name, s.result::get, CheckOptions.builder(probe).interval(Duration.ofMillis(20)).build());
      return s;
    }

    void up() {
      result.set(CheckResult.up());
    }

    void down() {
      result.set(CheckResult.down("switched off"));
    }
  }

  /** A unary method {@code test.Slow/Sleep}: the request is the number of milliseconds to take. */
  static final MethodDescriptor<String, String> SLEEP =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("test.Slow/Sleep")
          .setRequestMarshaller(new Utf8())
          .setResponseMarshaller(new Utf8())
          .build();

  /** The slow service: sleeps on the server's executor, then answers {@code "slept <ms>"}. */
  static ServerServiceDefinition slowService() {
    return ServerServiceDefinition.builder("test.Slow")
        .addMethod(
            SLEEP,
            ServerCalls.asyncUnaryCall(
                (request, observer) -> {
                  if (request.equals("throw")) {
                    // User code that fails: grpc-java answers UNKNOWN; the count must still drop.
                    throw new IllegalStateException("handler failed");
                  }
                  long ms = Long.parseLong(request);
                  try {
                    // The work under test is a slow request itself, not a wait for a condition.
                    TimeUnit.MILLISECONDS.sleep(ms);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  observer.onNext("slept " + ms);
                  observer.onCompleted();
                }))
        .build();
  }

  static String sleep(ManagedChannel channel, Duration d) {
    return ClientCalls.blockingUnaryCall(
        channel,
        SLEEP,
        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
        Long.toString(d.toMillis()));
  }

  private static final class Utf8 implements MethodDescriptor.Marshaller<String> {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
