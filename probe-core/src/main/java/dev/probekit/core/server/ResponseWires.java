package dev.probekit.core.server;

import dev.probekit.core.ProbeResponse;
import dev.probekit.core.internal.HttpAnswer;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The built-in server's renderings of probe responses into wire bytes, kept for the responses it
 * wrote last. Probe answers are shared objects (a snapshot renders each once), so a probe is
 * answered with an identity lookup and one gathering write: no rendering, no copy, no allocation.
 * A response not seen before is rendered once and takes the oldest slot.
 */
final class ResponseWires {
  /** A power of two; far more than the distinct answers of one snapshot (GET and HEAD, 3 probes). */
  private static final int SLOTS = 32;

  private final AtomicReferenceArray<Rendered> slots = new AtomicReferenceArray<>(SLOTS);
  /** The next slot to replace; a racy counter is good enough, as any slot may be replaced. */
  private int next;

  /** The wire form of {@code response}, rendered now if it was not among the last ones. */
  HttpAnswer of(ProbeResponse response) {
    for (int i = 0; i < SLOTS; i++) {
      Rendered rendered = slots.get(i);
      if (rendered == null) {
        break;
      }
      if (rendered.response == response) {
        return rendered.answer;
      }
    }
    HttpAnswer answer = render(response);
    slots.set(next++ & (SLOTS - 1), new Rendered(response, answer));
    return answer;
  }

  /** Renders {@code response} (GET or HEAD) as the built-in server writes it. */
  static HttpAnswer render(ProbeResponse response) {
    return HttpAnswer.of(
        response.status(),
        response.headers(),
        response.contentLength(),
        response.bodyBuffer(),
        false);
  }

  private static final class Rendered {
    final ProbeResponse response;
    final HttpAnswer answer;

    Rendered(ProbeResponse response, HttpAnswer answer) {
      this.response = response;
      this.answer = answer;
    }
  }
}
