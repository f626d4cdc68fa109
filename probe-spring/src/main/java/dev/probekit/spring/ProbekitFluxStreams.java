package dev.probekit.spring;

import dev.probekit.core.lifecycle.StreamRegistry;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Completes streaming fluxes (WebFlux server-sent events, NDJSON) when the drain starts, so that
 * they do not hold the web server's graceful shutdown. A bean when Reactor is present:
 *
 * <pre>{@code
 * @GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
 * Flux<String> events() {
 *   return streams.untilDrain(Flux.interval(Duration.ofSeconds(1)).onBackpressureDrop().map(i -> "tick " + i));
 * }
 * }</pre>
 */
public final class ProbekitFluxStreams {
  private final StreamRegistry streams;

  /**
   * Helpers registering with {@code streams}.
   *
   * @param streams the registry, normally the {@code probekitStreams} bean
   */
  public ProbekitFluxStreams(StreamRegistry streams) {
    this.streams = Objects.requireNonNull(streams, "streams");
  }

  /**
   * {@code flux}, completed at drain start. Each subscription is one stream, registered when it
   * subscribes and closed when the flux terminates or is cancelled; a subscription after the drain
   * started completes at once, empty.
   *
   * @param flux the stream's elements
   * @param <T> the element type
   * @return a flux that also completes at drain start
   */
  public <T> Flux<T> untilDrain(Flux<T> flux) {
    Objects.requireNonNull(flux, "flux");
    return Flux.defer(
        () -> {
          Sinks.One<Boolean> drain = Sinks.one();
          StreamRegistry.Stream stream;
          try {
            stream = streams.open(() -> drain.tryEmitValue(Boolean.TRUE));
          } catch (IllegalStateException draining) {
            return Flux.<T>empty();
          }
          return flux.takeUntilOther(drain.asMono()).doFinally(signal -> stream.close());
        });
  }
}
