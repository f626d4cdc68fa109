package dev.probekit.servlet;

import dev.probekit.core.lifecycle.Lifecycle;
import jakarta.servlet.ServletContainerInitializer;

/**
 * A real embedded servlet container on a random loopback port, serving one context for a test.
 * Implemented once for Jetty and once for Tomcat, so every test runs on both.
 */
interface TestContainer extends AutoCloseable {

  /** The container's name, for display. */
  String name();

  /** Registers the container's stop hook with {@code lifecycle}; call before {@link #start}. */
  void registerStopHook(Lifecycle lifecycle);

  /**
   * Starts the container with one context at {@code contextPath} ({@code ""} for the root),
   * running {@code setup} while the context starts, and returns the port bound.
   */
  int start(String contextPath, ServletContainerInitializer setup) throws Exception;

  /** Whether the container has stopped (after its stop hook's task, or {@link #close()}). */
  boolean isStopped();

  /** Stops the container if still running. */
  @Override
  void close() throws Exception;
}
