package dev.probekit.spring;

import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.lifecycle.StreamRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Long-lived streams as one drain participant named {@code streams}: a {@link StreamRegistry} bean
 * with the budget {@code probekit.shutdown.stream-budget}, and the helpers that register a stream
 * with it, {@link ProbekitSseStreams} (Spring MVC) and {@link ProbekitFluxStreams} (Reactor), each
 * only when its classes are present.
 *
 * <p>Without it, an open server-sent events stream holds Boot's graceful shutdown for the whole
 * {@code spring.lifecycle.timeout-per-shutdown-phase} (spring-boot #49275): nothing tells the
 * stream to end. The drain shares the graceful shutdown's phase, so the streams are told to end as
 * the web server stops accepting.
 */
@AutoConfiguration(after = ProbekitAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "probekit.enabled", matchIfMissing = true)
public class ProbekitStreamsAutoConfiguration {

  /** The participant's name in logs, the summary and metrics. */
  public static final String PARTICIPANT_NAME = "streams";

  /**
   * The registry of the application's long-lived streams, a drain participant of the lifecycle
   * (when the drain is on; otherwise streams are tracked but never told to end).
   *
   * @param properties {@code probekit.shutdown.stream-budget}
   * @param lifecycle the drain, if any
   * @return the registry
   */
  @Bean
  @ConditionalOnMissingBean
  public StreamRegistry probekitStreams(
      ProbekitProperties properties, ObjectProvider<Lifecycle> lifecycle) {
    StreamRegistry streams =
        StreamRegistry.of(PARTICIPANT_NAME, properties.getShutdown().getStreamBudget());
    Lifecycle drain = lifecycle.getIfAvailable();
    return drain == null ? streams : drain.addDrainParticipant(streams);
  }

  /** Spring MVC's server-sent events, when Spring MVC is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.web.servlet.mvc.method.annotation.SseEmitter")
  static class Sse {
    @Bean
    @ConditionalOnMissingBean
    ProbekitSseStreams probekitSseStreams(StreamRegistry streams) {
      return new ProbekitSseStreams(streams);
    }
  }

  /** Reactor's fluxes (WebFlux streaming responses), when Reactor is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "reactor.core.publisher.Flux")
  static class Reactive {
    @Bean
    @ConditionalOnMissingBean
    ProbekitFluxStreams probekitFluxStreams(StreamRegistry streams) {
      return new ProbekitFluxStreams(streams);
    }
  }
}
