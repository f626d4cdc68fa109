package dev.probekit.spring;

import dev.probekit.core.lifecycle.StreamRegistry;
import java.util.Objects;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Ends Spring MVC server-sent events streams when the drain starts, so that they do not hold the
 * web server's graceful shutdown. A bean when Spring MVC is present; inject it and wrap each
 * emitter:
 *
 * <pre>{@code
 * @GetMapping("/events")
 * SseEmitter events() {
 *   return streams.track(new SseEmitter(0L));
 * }
 * }</pre>
 *
 * <p>At drain start a tracked emitter is {@linkplain SseEmitter#complete() completed}; a later
 * {@code send} then throws {@link IllegalStateException}, which ends the sending loop.
 */
public final class ProbekitSseStreams {
  private final StreamRegistry streams;

  /**
   * Helpers registering with {@code streams}.
   *
   * @param streams the registry, normally the {@code probekitStreams} bean
   */
  public ProbekitSseStreams(StreamRegistry streams) {
    this.streams = Objects.requireNonNull(streams, "streams");
  }

  /**
   * Tracks {@code emitter} until it completes, times out or fails; the drain completes it.
   *
   * @param emitter the response of a handler method
   * @param <E> the emitter's type
   * @return {@code emitter}, completed already when the drain has started
   */
  public <E extends SseEmitter> E track(E emitter) {
    Objects.requireNonNull(emitter, "emitter");
    StreamRegistry.Stream stream;
    try {
      stream = streams.open(emitter::complete);
    } catch (IllegalStateException draining) {
      // The drain has started: an empty stream that ends at once, instead of one that would hold it.
      emitter.complete();
      return emitter;
    }
    // Spring keeps every callback registered, so the application's own ones still run.
    emitter.onCompletion(stream::close);
    emitter.onTimeout(stream::close);
    emitter.onError(failure -> stream.close());
    return emitter;
  }
}
