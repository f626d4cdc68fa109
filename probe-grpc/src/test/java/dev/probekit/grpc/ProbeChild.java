package dev.probekit.grpc;

import dev.probekit.core.HealthRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A gRPC probe server in a child JVM for {@link HostileChildJvmTest}: prints {@code port=N}, then
 * flaps readiness as fast as it can and prints {@code heap=<bytes used after a GC>} every 500 ms.
 */
public final class ProbeChild {
  private ProbeChild() {}

  public static void main(String[] args) {
    HealthRegistry health = HealthRegistry.builder().build();
    GrpcProbeServer server =
        GrpcProbeServer.builder(health)
            .port(0)
            .maxConnectionIdle(Duration.ofMinutes(5))
            .start();
    System.out.println("port=" + server.port());
    System.out.flush();
    Thread flapper =
        new Thread(
            () -> {
              while (true) {
                health.readiness().down("flap");
                health.readiness().clear();
                // 1 ms between flips: 2,000 transitions a second, far beyond any real flap.
                LockSupport.parkNanos(1_000_000);
              }
            },
            "flapper");
    flapper.setDaemon(true);
    flapper.start();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    while (true) {
      LockSupport.parkNanos(500_000_000L);
      System.gc();
      System.out.println(
          "heap=" + memory.getHeapMemoryUsage().getUsed() + " watchers=" + server.service().watchers());
      System.out.flush();
    }
  }
}
