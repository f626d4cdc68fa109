package dev.probekit.core;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.probekit.core.internal.Failures;
import dev.probekit.core.internal.Secrets;
import dev.probekit.core.ProbeEndpoints.ProbeQuery;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Renders a probe in the IETF health-check response format (draft-inadarei-api-health-check,
 * {@code application/health+json}) for clients whose {@code Accept} prefers it.
 *
 * <pre>{@code
 * {"status":"pass","description":"readiness",
 *  "checks":{"db":[{"componentId":"db","status":"pass","time":"2026-...Z",
 *                   "observedValue":3,"observedUnit":"ms"}]}}
 * }</pre>
 *
 * <p>{@code status} is {@code pass}, {@code warn} (the probe passes, but an optional check fails
 * or a liveness check has no result yet) or {@code fail}; 200 for pass and warn, 503 for fail,
 * like every other view. {@code checks} is keyed by check name, each an array of one object, as
 * the draft's schema has it. {@code observedValue} comes from a result's {@code observedValue}
 * detail (with {@code observedUnit}), else from {@code latencyMs}; a text value is shown only when
 * details are allowed. {@code output} (a failed check's reason, an override's reason) appears only
 * when details are allowed. Excluded checks are left out.
 */
final class HealthJsonRenderer {

  private HealthJsonRenderer() {}

  /**
   * Whether {@code accept} prefers {@code application/health+json}: listed with a q above 0 and no
   * other range we serve (JSON, text, wildcards) with a higher q; on a tie between named types the
   * one listed first wins, and a wildcard never beats it.
   */
  static boolean preferred(String accept) {
    if (accept == null || accept.length() > 1024) {
      return false;
    }
    if (!mentionsHealthJson(accept)) {
      // The kubelet's "*/*" and every other common Accept stop here, without allocating.
      return false;
    }
    String lower = accept.toLowerCase(Locale.ROOT);
    double healthQ = -1;
    int healthAt = -1;
    double namedQ = -1;
    int namedAt = -1;
    double wildQ = -1;
    String[] ranges = lower.split(",");
    for (int i = 0; i < ranges.length; i++) {
      String range = ranges[i];
      int semi = range.indexOf(';');
      String type = (semi < 0 ? range : range.substring(0, semi)).trim();
      double q = quality(semi < 0 ? "" : range.substring(semi + 1));
      if (type.equals(ProbeResponse.APPLICATION_HEALTH_JSON)) {
        if (q > healthQ) {
          healthQ = q;
          healthAt = i;
        }
      } else if (type.equals("application/json") || type.equals("text/plain")) {
        if (q > namedQ) {
          namedQ = q;
          namedAt = i;
        }
      } else if (type.equals("*/*") || type.equals("application/*") || type.equals("text/*")) {
        wildQ = Math.max(wildQ, q);
      }
    }
    return healthQ > 0
        && healthQ >= wildQ
        && (healthQ > namedQ || (healthQ == namedQ && healthAt < namedAt));
  }

  private static boolean mentionsHealthJson(String accept) {
    String type = ProbeResponse.APPLICATION_HEALTH_JSON;
    for (int i = 0; i + type.length() <= accept.length(); i++) {
      if (accept.regionMatches(true, i, type, 0, type.length())) {
        return true;
      }
    }
    return false;
  }

  private static double quality(String params) {
    for (String param : params.split(";")) {
      String p = param.trim();
      if (p.startsWith("q=")) {
        try {
          double q = Double.parseDouble(p.substring(2).trim());
          return q >= 0 && q <= 1 ? q : 0;
        } catch (NumberFormatException e) {
          // A malformed weight counts as "not acceptable", never as a failure.
          return 0;
        }
      }
    }
    return 1;
  }

  static ProbeResponse renderProbe(ProbeSnapshot snapshot, ProbeQuery query, boolean details) {
    // The pass/fail verdict (excludes and overrides included) is the plain renderer's, so the
    // formats can never disagree.
    boolean up = ResponseRenderer.renderProbe(snapshot, query, false).status() == 200;
    Set<String> excluded = new HashSet<>(query.excludes);
    List<CheckState> shown = new ArrayList<>(snapshot.checks().size());
    for (CheckState check : snapshot.checks()) {
      if (!excluded.contains(check.name())) {
        shown.add(check);
      }
    }
    List<String> overrides = new ArrayList<>(1);
    if (snapshot.probe().isPresent()) {
      snapshot.overrideReason().ifPresent(overrides::add);
    } else {
      for (ProbeSnapshot part : snapshot.parts()) {
        part.overrideReason().ifPresent(r -> overrides.add(part.name() + ": " + r));
      }
    }
    return render(snapshot, shown, up, details ? String.join("; ", overrides) : "", details);
  }

  static ProbeResponse renderCheck(
      ProbeSnapshot snapshot, CheckState check, ProbeQuery query, boolean details) {
    boolean up = ResponseRenderer.renderCheck(snapshot, check, query, false).status() == 200;
    return render(snapshot, List.of(check), up, "", details);
  }

  private static ProbeResponse render(
      ProbeSnapshot snapshot, List<CheckState> checks, boolean up, String output, boolean details) {
    Probe probe = snapshot.probe().orElse(null);
    boolean warn = false;
    ByteArrayOutputStream out = new ByteArrayOutputStream(96 + 128 * checks.size());
    try (JsonGenerator g = ResponseRenderer.JSON.createGenerator(out)) {
      g.writeStartObject();
      // Written last into the buffer would be simpler, but status comes first for readers.
      List<String> statuses = new ArrayList<>(checks.size());
      for (CheckState check : checks) {
        String s = status(check, probe);
        statuses.add(s);
        warn |= s.equals("warn");
      }
      g.writeStringField("status", !up ? "fail" : warn ? "warn" : "pass");
      g.writeStringField("description", snapshot.name());
      if (!output.isEmpty()) {
        g.writeStringField("output", Secrets.redact(output));
      }
      g.writeObjectFieldStart("checks");
      for (int i = 0; i < checks.size(); i++) {
        writeCheck(g, checks.get(i), statuses.get(i), details);
      }
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      // A ByteArrayOutputStream does not throw; this is unreachable.
      throw new UncheckedIOException(e);
    }
    return ProbeResponse.of(
        up ? 200 : 503, ProbeResponse.APPLICATION_HEALTH_JSON, out.toByteArray());
  }

  /** pass when UP; fail when it fails its probe; warn when it fails but cannot fail the probe. */
  private static String status(CheckState check, Probe probe) {
    if (check.status() == Status.UP) {
      return "pass";
    }
    boolean passes = true;
    for (Probe p : probe != null ? Set.of(probe) : check.probes()) {
      passes &= check.passes(p);
    }
    return passes ? "warn" : "fail";
  }

  private static void writeCheck(JsonGenerator g, CheckState check, String status, boolean details)
      throws IOException {
    g.writeArrayFieldStart(check.name());
    g.writeStartObject();
    g.writeStringField("componentId", check.name());
    g.writeStringField("status", status);
    CheckResult last = check.lastResult().orElse(null);
    if (last != null) {
      if (last.time().isPresent()) {
        g.writeStringField("time", last.time().get().toString());
      }
      writeObserved(g, last, details);
    }
    if (details) {
      String output = output(check, last);
      if (output != null) {
        g.writeStringField("output", Secrets.redact(output));
      }
    }
    g.writeEndObject();
    g.writeEndArray();
  }

  private static void writeObserved(JsonGenerator g, CheckResult result, boolean details)
      throws IOException {
    Object value = result.details().get("observedValue");
    Object unit = result.details().get("observedUnit");
    if (value == null) {
      value = result.details().get("latencyMs");
      unit = value == null ? null : "ms";
    }
    if (value instanceof Boolean) {
      g.writeBooleanField("observedValue", (Boolean) value);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short
        || value instanceof Byte) {
      g.writeNumberField("observedValue", ((Number) value).longValue());
    } else if (value instanceof Number) {
      g.writeNumberField("observedValue", ((Number) value).doubleValue());
    } else if (value != null && details) {
      g.writeStringField("observedValue", Secrets.redact(String.valueOf(value)));
    } else {
      return;
    }
    if (unit != null) {
      g.writeStringField("observedUnit", String.valueOf(unit));
    }
  }

  private static String output(CheckState check, CheckResult last) {
    if (check.status() == Status.UNKNOWN) {
      return "pending: no result yet";
    }
    if (last == null || last.isUp()) {
      return last == null ? null : last.message().orElse(null);
    }
    if (last.message().isPresent()) {
      return last.message().get();
    }
    return last.error().map(Failures::describe).orElse("failed");
  }
}
