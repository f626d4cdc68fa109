package dev.probekit.benchmarks;

import com.codahale.metrics.health.HealthCheckRegistry;
import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.ProbeResponse;
import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.health.api.HealthType;
import io.smallrye.health.registry.HealthRegistries;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.boot.actuate.endpoint.ApiVersion;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointWebExtension;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.SimpleHttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.SimpleStatusAggregator;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.registry.DefaultHealthContributorRegistry;

/**
 * A readiness probe on Probekit and on three peers, side by side in one run, each given the same
 * two checks: {@code fast} (returns UP at once) and {@code slow} (a 5 ms dependency call).
 *
 * <ul>
 *   <li>{@code probekit}: {@link ProbeEndpoints#handle} for {@code GET /readyz}; the checks run in
 *       the background, the probe reads the snapshot.
 *   <li>{@code springActuator}: Spring Boot 4.1's {@link HealthEndpointWebExtension} (what serves
 *       {@code /actuator/health/readiness}) for a {@code readiness} group built programmatically
 *       over a {@link DefaultHealthContributorRegistry}; the checks are {@link HealthIndicator}s.
 *       JSON serialization of the descriptor is not included (that only flatters Spring).
 *   <li>{@code dropwizard}: {@link HealthCheckRegistry#runHealthChecks()} (what Dropwizard's
 *       {@code HealthCheckServlet} calls), checks registered as {@code HealthCheck}s.
 *   <li>{@code smallrye}: {@link SmallRyeHealthReporter#getReadiness()} (what Quarkus' and the
 *       SmallRye servlet's {@code /health/ready} call), with the checks registered in SmallRye's
 *       CDI-free programmatic readiness {@link io.smallrye.health.api.HealthRegistry} ({@code HealthRegistries}); the
 *       reporter is constructed without a CDI container (it falls back to its defaults).
 * </ul>
 *
 * <p>Budget: Probekit at least 100x faster than each peer. Run: {@code java -jar
 * benchmarks/target/benchmarks.jar PeersBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PeersBenchmark {
  private HealthRegistry health;
  private ProbeEndpoints endpoints;
  private HealthEndpointWebExtension actuator;
  private HealthCheckRegistry dropwizard;
  private SmallRyeHealthReporter smallrye;
  private io.smallrye.health.api.HealthRegistry smallryeRegistry;

  @Setup(Level.Trial)
  public void setUp() {
    setUpProbekit();
    setUpActuator();
    setUpDropwizard();
    setUpSmallRye();
    verifyAllUp();
  }

  private void setUpProbekit() {
    health = HealthRegistry.builder().build();
    health.register("fast", CheckResult::up, CheckOptions.of(Probe.READINESS));
    health.register(
        "slow",
        () -> {
          Fixtures.slowDependencyCall();
          return CheckResult.up();
        },
        CheckOptions.of(Probe.READINESS));
    Fixtures.awaitUp(health, Duration.ofSeconds(30));
    endpoints = ProbeEndpoints.of(health);
  }

  private void setUpActuator() {
    DefaultHealthContributorRegistry registry = new DefaultHealthContributorRegistry();
    registry.registerContributor(
        "fast", (HealthIndicator) () -> Health.up().build());
    registry.registerContributor(
        "slow",
        (HealthIndicator)
            () -> {
              Fixtures.slowDependencyCall();
              return Health.up().build();
            });
    HealthEndpointGroup readiness = new Group(Set.of("fast", "slow"));
    HealthEndpointGroup primary = new Group(null);
    HealthEndpointGroups groups = HealthEndpointGroups.of(primary, Map.of("readiness", readiness));
    // The last argument is the slow-indicator logging threshold (Spring's default is 10 s).
    actuator = new HealthEndpointWebExtension(registry, null, groups, Duration.ofSeconds(10));
  }

  private void setUpDropwizard() {
    dropwizard = new HealthCheckRegistry();
    dropwizard.register(
        "fast",
        new com.codahale.metrics.health.HealthCheck() {
          @Override
          protected Result check() {
            return Result.healthy();
          }
        });
    dropwizard.register(
        "slow",
        new com.codahale.metrics.health.HealthCheck() {
          @Override
          protected Result check() {
            Fixtures.slowDependencyCall();
            return Result.healthy();
          }
        });
  }

  private void setUpSmallRye() {
    smallryeRegistry = HealthRegistries.getRegistry(HealthType.READINESS);
    smallryeRegistry.register("fast", () -> HealthCheckResponse.up("fast"));
    smallryeRegistry.register(
        "slow",
        () -> {
          Fixtures.slowDependencyCall();
          return HealthCheckResponse.up("slow");
        });
    smallrye = new SmallRyeHealthReporter();
  }

  private void verifyAllUp() {
    ProbeResponse probe = probekit();
    if (probe.status() != 200) {
      throw new IllegalStateException("probekit: " + probe);
    }
    WebEndpointResponse<HealthDescriptor> spring = springActuator();
    if (spring.getStatus() != 200
        || !"UP".equals(spring.getBody().getStatus().getCode())) {
      throw new IllegalStateException("actuator: " + spring.getStatus());
    }
    SortedMap<String, com.codahale.metrics.health.HealthCheck.Result> dw = dropwizard();
    if (dw.size() != 2 || !dw.values().stream().allMatch(r -> r.isHealthy())) {
      throw new IllegalStateException("dropwizard: " + dw);
    }
    SmallRyeHealth sr = smallrye();
    if (sr.isDown() || sr.getPayload().getJsonArray("checks").size() != 2) {
      throw new IllegalStateException("smallrye: " + sr.getPayload());
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    health.close();
    smallryeRegistry.remove("fast");
    smallryeRegistry.remove("slow");
    dropwizard.shutdown();
  }

  @Benchmark
  public ProbeResponse probekit() {
    return endpoints.handle(Fixtures.KUBELET_READYZ);
  }

  @Benchmark
  public WebEndpointResponse<HealthDescriptor> springActuator() {
    return actuator.health(
        ApiVersion.V3, WebServerNamespace.SERVER, SecurityContext.NONE, "readiness");
  }

  @Benchmark
  public SortedMap<String, com.codahale.metrics.health.HealthCheck.Result> dropwizard() {
    return dropwizard.runHealthChecks();
  }

  @Benchmark
  public SmallRyeHealth smallrye() {
    return smallrye.getReadiness();
  }

  /** A health group as Spring Boot's auto-configuration builds it, with its defaults. */
  private static final class Group implements HealthEndpointGroup {
    private static final StatusAggregator AGGREGATOR = new SimpleStatusAggregator();
    private static final HttpCodeStatusMapper MAPPER = new SimpleHttpCodeStatusMapper();
    private final Set<String> members;

    /** {@code members == null}: every contributor (the primary group). */
    Group(Set<String> members) {
      this.members = members;
    }

    @Override
    public boolean isMember(String name) {
      return members == null || members.contains(name);
    }

    @Override
    public boolean showComponents(SecurityContext securityContext) {
      return false;
    }

    @Override
    public boolean showDetails(SecurityContext securityContext) {
      return false;
    }

    @Override
    public StatusAggregator getStatusAggregator() {
      return AGGREGATOR;
    }

    @Override
    public HttpCodeStatusMapper getHttpCodeStatusMapper() {
      return MAPPER;
    }

    @Override
    public AdditionalHealthEndpointPath getAdditionalPath() {
      return null;
    }
  }
}
