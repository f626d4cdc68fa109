package dev.probekit.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.probekit.core.ProbeEndpoints.ProbeQuery;
import dev.probekit.core.internal.Failures;
import dev.probekit.core.internal.Secrets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders verbose text and JSON for requests off the hot path: those with a query, a JSON Accept,
 * or a single check. Reasons appear only when {@code details} is true.
 */
final class ResponseRenderer {
  /** Thread-safe and immutable once configured; shared by every request. */
  /** One factory for every JSON body: escapes every control character (see {@link ControlEscapes}). */
  static final JsonFactory JSON = new JsonFactory().setCharacterEscapes(new ControlEscapes());

  private static final String WITHHELD = "reason withheld";
  private static final int MAX_ECHO = 64;

  private ResponseRenderer() {}

  static ProbeResponse renderProbe(ProbeSnapshot snapshot, ProbeQuery query, boolean details) {
    Set<String> excluded = new LinkedHashSet<>(query.excludes);
    List<String> unmatched = new ArrayList<>();
    for (String name : excluded) {
      if (snapshot.check(name).isEmpty()) {
        unmatched.add(name);
      }
    }
    boolean up = passes(snapshot, excluded);
    if (query.json) {
      return json(snapshot, snapshot.checks(), excluded, unmatched, up, details);
    }
    if (!query.verbose) {
      return DefaultResponses.of(snapshot.probe().orElse(null), up ? Status.UP : Status.DOWN);
    }
    StringBuilder body = new StringBuilder(64 + 48 * snapshot.checks().size());
    for (CheckState check : snapshot.checks()) {
      if (excluded.contains(check.name())) {
        body.append("[+]").append(check.name()).append(" excluded: ok\n");
      } else {
        line(body, check, snapshot, details);
      }
    }
    for (String reason : overrideReasons(snapshot)) {
      body.append("[-]override failed: ").append(details ? shown(reason) : WITHHELD).append('\n');
    }
    if (!unmatched.isEmpty()) {
      body.append("warn: some health checks cannot be excluded: no matches for ");
      for (int i = 0; i < unmatched.size(); i++) {
        body.append(i == 0 ? "" : ", ").append('"').append(echo(unmatched.get(i))).append('"');
      }
      body.append('\n');
    }
    body.append(snapshot.name()).append(up ? " check passed\n" : " check failed\n");
    return ProbeResponse.text(up ? 200 : 503, body.toString());
  }

  static ProbeResponse renderCheck(
      ProbeSnapshot snapshot, CheckState check, ProbeQuery query, boolean details) {
    boolean up = passesAlone(check, snapshot.probe().orElse(null));
    if (query.json) {
      return json(snapshot, List.of(check), Set.of(), List.of(), up, details);
    }
    if (!query.verbose) {
      return up ? DefaultResponses.of(null, Status.UP)
          : ProbeResponse.text(503, check.name() + " check failed");
    }
    StringBuilder body = new StringBuilder(96);
    line(body, check, snapshot, details);
    body.append(check.name()).append(up ? " check passed\n" : " check failed\n");
    return ProbeResponse.text(up ? 200 : 503, body.toString());
  }

  /** Whether the probe passes without the excluded checks (overrides still count). */
  private static boolean passes(ProbeSnapshot snapshot, Set<String> excluded) {
    if (excluded.isEmpty()) {
      return snapshot.isUp();
    }
    if (snapshot.probe().isEmpty()) {
      for (ProbeSnapshot part : snapshot.parts()) {
        if (!passes(part, excluded)) {
          return false;
        }
      }
      return true;
    }
    if (snapshot.overrideReason().isPresent()) {
      return false;
    }
    Probe probe = snapshot.probe().get();
    for (CheckState check : snapshot.checks()) {
      if (!excluded.contains(check.name()) && !check.passes(probe)) {
        return false;
      }
    }
    return true;
  }

  /** Whether a check passes on its own: its probe's rule, or in the overall view each probe's. */
  private static boolean passesAlone(CheckState check, Probe probe) {
    if (check.status() == Status.UP) {
      return true;
    }
    if (check.status() == Status.DOWN) {
      return false;
    }
    if (probe != null) {
      return probe.unknownPasses();
    }
    for (Probe p : check.probes()) {
      if (!p.unknownPasses()) {
        return false;
      }
    }
    return true;
  }

  private static List<String> overrideReasons(ProbeSnapshot snapshot) {
    List<String> reasons = new ArrayList<>(1);
    if (snapshot.probe().isPresent()) {
      snapshot.overrideReason().ifPresent(reasons::add);
    } else {
      for (ProbeSnapshot part : snapshot.parts()) {
        part.overrideReason().ifPresent(r -> reasons.add(part.name() + ": " + r));
      }
    }
    return reasons;
  }

  /** {@code [+]db ok}, {@code [-]db failed: reason withheld}, {@code [~]cache ok (optional)}. */
  private static void line(
      StringBuilder body, CheckState check, ProbeSnapshot snapshot, boolean details) {
    boolean passes = passesAlone(check, snapshot.probe().orElse(null));
    body.append(!check.required() ? "[~]" : passes ? "[+]" : "[-]").append(check.name());
    switch (check.status()) {
      case UP:
        body.append(" ok");
        break;
      case UNKNOWN:
        body.append(" pending: no result yet");
        break;
      default:
        body.append(" failed: ").append(details ? shown(reason(check)) : WITHHELD);
        break;
    }
    body.append(check.required() ? "\n" : " (optional)\n");
  }

  private static String reason(CheckState check) {
    return check.lastResult().flatMap(CheckResult::message).orElse("failed");
  }

  private static ProbeResponse json(
      ProbeSnapshot snapshot,
      List<CheckState> checks,
      Set<String> excluded,
      List<String> unmatched,
      boolean up,
      boolean details) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128 + 96 * checks.size());
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("status", up ? "UP" : "DOWN");
      g.writeStringField("probe", snapshot.name());
      List<String> overrides = overrideReasons(snapshot);
      if (!overrides.isEmpty()) {
        g.writeStringField(
            "override", details ? Secrets.redact(String.join("; ", overrides)) : WITHHELD);
      }
      g.writeArrayFieldStart("checks");
      for (CheckState check : checks) {
        writeCheck(g, check, excluded.contains(check.name()), details);
      }
      g.writeEndArray();
      if (!unmatched.isEmpty()) {
        g.writeArrayFieldStart("warnings");
        for (String name : unmatched) {
          g.writeString("cannot be excluded: no matches for \"" + echo(name) + "\"");
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    } catch (IOException e) {
      // A ByteArrayOutputStream does not throw; this is unreachable.
      throw new UncheckedIOException(e);
    }
    return ProbeResponse.of(up ? 200 : 503, ProbeResponse.APPLICATION_JSON, out.toByteArray());
  }

  private static void writeCheck(JsonGenerator g, CheckState check, boolean excluded,
      boolean details) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", check.name());
    g.writeStringField("status", check.status().name());
    g.writeBooleanField("required", check.required());
    if (excluded) {
      g.writeBooleanField("excluded", true);
    }
    CheckResult last = check.lastResult().orElse(null);
    if (last != null && last.duration().isPresent()) {
      g.writeNumberField("durationMs", last.duration().get().toMillis());
    }
    if (details && last != null) {
      if (last.message().isPresent()) {
        g.writeStringField("message", Secrets.redact(last.message().get()));
      }
      if (last.error().isPresent()) {
        g.writeStringField("error", Failures.describe(last.error().get()));
      }
      if (last.time().isPresent()) {
        g.writeStringField("time", last.time().get().toString());
      }
      if (!last.details().isEmpty()) {
        g.writeObjectFieldStart("details");
        for (Map.Entry<String, Object> e : last.details().entrySet()) {
          writeValue(g, e.getKey(), e.getValue());
        }
        g.writeEndObject();
      }
    }
    g.writeEndObject();
  }

  private static void writeValue(JsonGenerator g, String key, Object value) throws IOException {
    if (Secrets.isSecretKey(key)) {
      g.writeStringField(key, Secrets.MASK);
    } else if (value instanceof Boolean) {
      g.writeBooleanField(key, (Boolean) value);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short
        || value instanceof Byte) {
      g.writeNumberField(key, ((Number) value).longValue());
    } else if (value instanceof Number) {
      g.writeNumberField(key, ((Number) value).doubleValue());
    } else {
      g.writeStringField(key, Secrets.redact(String.valueOf(value)));
    }
  }

  /**
   * A reason as a verbose body shows it: secrets masked, on one line so it cannot forge further
   * lines, and with no control character for the terminal of whoever curls it.
   */
  private static String shown(String text) {
    return Failures.oneLine(Secrets.redact(text));
  }

  /**
   * JSON escapes beyond jackson's own (which already escapes C0 controls and lone surrogates):
   * DEL, the C1 controls (NEL included) and U+2028/U+2029, which a terminal or a JavaScript
   * reader would act on.
   */
  private static final class ControlEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private final int[] ascii = CharacterEscapes.standardAsciiEscapesForJSON();

    ControlEscapes() {
      ascii[0x7f] = CharacterEscapes.ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      if ((ch >= 0x80 && ch <= 0x9f) || ch == 0x2028 || ch == 0x2029) {
        return new SerializedString(String.format("\\u%04x", ch));
      }
      return null;
    }
  }

  /** Echoes client input safely: printable ASCII only, at most 64 characters. */
  private static String echo(String text) {
    StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_ECHO) + 3);
    for (int i = 0; i < text.length() && i < MAX_ECHO; i++) {
      char c = text.charAt(i);
      sb.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '?');
    }
    if (text.length() > MAX_ECHO) {
      sb.append("...");
    }
    return sb.toString();
  }
}
