package dev.probekit.servlet;

/** {@link ServletAdapterTests} on embedded Jetty 12.1 (ee11). */
class JettyServletAdapterTest extends ServletAdapterTests {
  @Override
  TestContainer newContainer() {
    return new JettyContainer();
  }
}
