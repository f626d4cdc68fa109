package dev.probekit.servlet;

/**
 * The probe contract on embedded Jetty inside the context {@code /app}: the servlet finds the
 * contract's paths in the raw request URI after the context path.
 */
class JettyContextPathContractTest extends JettyContractTest {
  @Override
  String contextPath() {
    return "/app";
  }
}
