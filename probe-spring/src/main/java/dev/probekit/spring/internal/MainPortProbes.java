package dev.probekit.spring.internal;

import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

/**
 * The probes served on the application's main port: their paths, the stack, and the port the web
 * server bound (known once it has started). Defined on every web application; {@link #served()}
 * says whether the main port serves probes at all ({@code probekit.serve-on-main-port}).
 */
public final class MainPortProbes implements ApplicationListener<WebServerInitializedEvent> {

  private final ProbePaths paths;
  private final boolean served;
  private final boolean servlet;
  private final String address;
  private volatile int port = -1;

  /**
   * @param paths where the probes are, on this port
   * @param served whether the main port serves the probes
   * @param servlet whether the stack is a servlet container (blocking workers)
   * @param address {@code server.address}, or null for every interface
   */
  public MainPortProbes(ProbePaths paths, boolean served, boolean servlet, String address) {
    this.paths = paths;
    this.served = served;
    this.servlet = servlet;
    this.address = address == null || address.isBlank() ? "*" : address;
  }

  @Override
  public void onApplicationEvent(WebServerInitializedEvent event) {
    // The management server (management.server.port) has a namespace of its own: not ours.
    if (event.getApplicationContext().getServerNamespace() == null) {
      port = event.getWebServer().getPort();
    }
  }

  /** The paths. */
  public ProbePaths paths() {
    return paths;
  }

  /** Whether the main port serves the probes. */
  public boolean served() {
    return served;
  }

  /** Whether the probes share a servlet container's worker threads with the application. */
  public boolean servlet() {
    return servlet;
  }

  /** "http://*:8080/app", or with port "?" before the server has started. */
  String base() {
    return "http://" + address + ":" + (port < 0 ? "?" : Integer.toString(port)) + paths.base();
  }
}
