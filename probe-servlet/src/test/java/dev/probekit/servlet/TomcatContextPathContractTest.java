package dev.probekit.servlet;

/**
 * The probe contract on embedded Tomcat inside the context {@code /app}: the servlet finds the
 * contract's paths in the raw request URI after the context path.
 */
class TomcatContextPathContractTest extends TomcatContractTest {
  @Override
  String contextPath() {
    return "/app";
  }
}
