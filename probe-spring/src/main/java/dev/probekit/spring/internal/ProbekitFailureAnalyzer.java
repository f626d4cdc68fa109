package dev.probekit.spring.internal;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link ProbekitConfigurationException} as Boot's "APPLICATION FAILED TO START"
 * description and action, instead of a stack trace. Registered in {@code META-INF/spring.factories}.
 */
public final class ProbekitFailureAnalyzer
    extends AbstractFailureAnalyzer<ProbekitConfigurationException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, ProbekitConfigurationException cause) {
    return new FailureAnalysis(
        "Invalid Probekit configuration (" + cause.property() + "): " + cause.getMessage(),
        cause.action(),
        cause);
  }
}
