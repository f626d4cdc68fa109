package dev.probekit.benchmarks;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.grpc.ProbeHealthService;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code grpc.health.v1.Health/Check}, through grpc-java's in-process transport, on Probekit's
 * {@link ProbeHealthService} and on grpc-java's own {@link HealthStatusManager} service, side by
 * side in one run, each on an in-process server of its own with a direct executor, called through
 * a blocking stub: the whole call path a kubelet probe takes, minus the network.
 *
 * <ul>
 *   <li>{@code probekitOverall} / {@code probekitReadiness}: {@code Check("")} and {@code
 *       Check("readiness")}; the registry has two readiness checks, run in the background.
 *   <li>{@code grpcHealthStatusManager}: {@code Check("")} with the status set to SERVING.
 * </ul>
 *
 * <p>Run with {@code -prof gc} for allocation per call ({@code gc.alloc.rate.norm}): {@code java
 * -jar benchmarks/target/benchmarks.jar GrpcCheckBenchmark -prof gc}. Budget: Probekit within 10%
 * of grpc-java's own service in time and bytes: the lookup is not where a Check spends its time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GrpcCheckBenchmark {
  private static final HealthCheckRequest OVERALL = HealthCheckRequest.newBuilder().build();
  private static final HealthCheckRequest READINESS =
      HealthCheckRequest.newBuilder().setService("readiness").build();

  private HealthRegistry health;
  private ProbeHealthService probekit;
  private Server probekitServer;
  private Server grpcServer;
  private ManagedChannel probekitChannel;
  private ManagedChannel grpcChannel;
  private HealthGrpc.HealthBlockingStub probekitStub;
  private HealthGrpc.HealthBlockingStub grpcStub;

  @Setup
  public void setUp() throws IOException {
    health = HealthRegistry.builder().build();
    for (String name : new String[] {"db", "cache"}) {
      health.register(
          name, CheckResult::up, CheckOptions.builder(Probe.READINESS).interval(Duration.ofSeconds(1)).build());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!health.snapshot(Probe.READINESS).isUp() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    probekit = ProbeHealthService.of(health);
    HealthStatusManager manager = new HealthStatusManager();
    manager.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);

    probekitServer = start("probekit-health", probekit);
    grpcServer = start("grpc-health", manager.getHealthService());
    probekitChannel = InProcessChannelBuilder.forName("probekit-health").directExecutor().build();
    grpcChannel = InProcessChannelBuilder.forName("grpc-health").directExecutor().build();
    probekitStub = HealthGrpc.newBlockingStub(probekitChannel);
    grpcStub = HealthGrpc.newBlockingStub(grpcChannel);
    if (probekitOverall().getStatus() != ServingStatus.SERVING
        || grpcHealthStatusManager().getStatus() != ServingStatus.SERVING) {
      throw new IllegalStateException("both services must answer SERVING before measuring");
    }
  }

  private static Server start(String name, BindableService service) throws IOException {
    return InProcessServerBuilder.forName(name).directExecutor().addService(service).build().start();
  }

  @TearDown
  public void tearDown() throws InterruptedException {
    probekitChannel.shutdownNow();
    grpcChannel.shutdownNow();
    probekitServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    grpcServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    probekit.close();
    health.close();
  }

  @Benchmark
  public HealthCheckResponse probekitOverall() {
    return probekitStub.check(OVERALL);
  }

  @Benchmark
  public HealthCheckResponse probekitReadiness() {
    return probekitStub.check(READINESS);
  }

  @Benchmark
  public HealthCheckResponse grpcHealthStatusManager() {
    return grpcStub.check(OVERALL);
  }
}
