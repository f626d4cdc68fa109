package dev.probekit.servlet;

import dev.probekit.core.lifecycle.StreamRegistry;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * Joins a servlet async stream (server-sent events, a long poll) to a {@link StreamRegistry}, so
 * the drain ends it at stop-accepting instead of waiting for the client to hang up.
 *
 * <pre>{@code
 * AsyncContext async = request.startAsync();
 * async.setTimeout(0);
 * if (ServletStreams.track(streams, async).isEmpty()) {
 *   return; // draining: answered 503
 * }
 * // ... write events from any thread; stop when the AsyncContext completes
 * }</pre>
 */
public final class ServletStreams {
  private ServletStreams() {}

  /**
   * Registers {@code async} as an open stream. Its end action completes the {@link AsyncContext}
   * (once, from the drain's thread); the registration is closed when the container reports the
   * stream complete, timed out or failed. Call right after {@code startAsync()}, before writing.
   *
   * @param streams the registry (a drain participant)
   * @param async the started async context of the stream's request
   * @return the registration, or empty if the registry is draining: then the request has been
   *     answered {@code 503} ({@code Connection: close}, a short plain-text reason) and {@code
   *     async} completed
   */
  public static Optional<StreamRegistry.Stream> track(StreamRegistry streams, AsyncContext async) {
    Objects.requireNonNull(streams, "streams");
    Objects.requireNonNull(async, "async");
    StreamRegistry.Stream stream;
    try {
      stream = streams.open(() -> complete(async));
    } catch (IllegalStateException draining) {
      refuse(async);
      return Optional.empty();
    }
    async.addListener(new Closer(stream));
    return Optional.of(stream);
  }

  private static void refuse(AsyncContext async) {
    try {
      ServletResponse response = async.getResponse();
      if (!response.isCommitted() && response instanceof HttpServletResponse http) {
        http.setStatus(503);
        http.setHeader("Connection", "close");
        http.setContentType("text/plain;charset=utf-8");
        http.getOutputStream().write("draining\n".getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException | IllegalStateException e) {
      // The client is gone or the response is no longer usable: nothing to answer.
    } finally {
      complete(async);
    }
  }

  private static void complete(AsyncContext async) {
    try {
      async.complete();
    } catch (IllegalStateException alreadyDone) {
      // The stream completed (or timed out) on its own meanwhile: the container refuses a second
      // complete(), and there is nothing left to end.
    }
  }

  /** Closes the registration whatever ended the stream. */
  private static final class Closer implements AsyncListener {
    private final StreamRegistry.Stream stream;

    Closer(StreamRegistry.Stream stream) {
      this.stream = stream;
    }

    @Override
    public void onComplete(AsyncEvent event) {
      stream.close();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      stream.close();
    }

    @Override
    public void onError(AsyncEvent event) {
      stream.close();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      // A re-started async cycle drops the listeners: stay registered with the new one.
      AsyncContext next = event.getAsyncContext();
      if (next != null) {
        next.addListener(this);
      }
    }
  }
}
