package dev.probekit.servlet;

/** {@link ServletAdapterTests} on embedded Tomcat 11. */
class TomcatServletAdapterTest extends ServletAdapterTests {
  @Override
  TestContainer newContainer() throws Exception {
    return new TomcatContainer();
  }
}
