package dev.probekit.core.internal;

/**
 * Implemented by the default health registry: how many readiness probes its endpoints have
 * answered 503 so far, which the lifecycle reports for the pre-stop step. An interface here, not a
 * method on the public registry, so that the count stays out of the public API.
 */
public interface ReadinessAnswerCount {

  /** {@return the readiness probes answered 503 so far, over every endpoint of this registry} */
  long readinessDownAnswers();
}
