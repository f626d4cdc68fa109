package dev.probekit.spring.internal;

import java.util.Locale;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Reports a {@code probekit.*} value that cannot be bound (a negative duration, an unknown probe
 * name, a port out of range) with an Action that names the property and what it accepts. Runs
 * before Boot's own bind analyzer, whose Action ("Update your application's configuration") names
 * nothing; other properties are left to Boot. Token values are never echoed.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
public final class ProbekitBindFailureAnalyzer extends AbstractFailureAnalyzer<BindException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
    ConfigurationProperty property = cause.getProperty();
    String name = property != null ? property.getName().toString() : cause.getName().toString();
    if (!name.startsWith("probekit.")) {
      return null;
    }
    String value = "";
    if (property != null) {
      String shown = name.contains("token") ? "******" : String.valueOf(property.getValue());
      value = " = '" + shown + "'"
          + (property.getOrigin() == null ? "" : " (from " + property.getOrigin() + ")");
    }
    Throwable reason = cause;
    while (reason.getCause() != null && reason.getCause() != reason) {
      reason = reason.getCause();
    }
    return new FailureAnalysis(
        "Invalid Probekit setting " + name + value + ": " + reason.getMessage(),
        "Change " + name + accepted(name) + ".",
        cause);
  }

  private static String accepted(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.startsWith("probekit.actuator.adopt") || n.endsWith(".probes")) {
      return ": probe names are liveness, readiness and startup";
    }
    if (n.equals("probekit.details")) {
      return ": the values are never, always and token";
    }
    if (n.endsWith("port")) {
      return ": a port is 0..65535 (0 for a random one)";
    }
    if (n.endsWith("threshold") || n.endsWith("threads")) {
      return ": a whole number, at least 1";
    }
    if (n.endsWith("prefix")) {
      return ": empty, or a path like /health (no trailing slash)";
    }
    return ": durations are written like 500ms, 5s or 1m, and must not be negative";
  }
}
