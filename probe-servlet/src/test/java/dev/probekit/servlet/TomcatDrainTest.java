package dev.probekit.servlet;

/** {@link DrainTests} on embedded Tomcat 11 with {@code TomcatStopHook}. */
class TomcatDrainTest extends DrainTests {
  @Override
  TestContainer newContainer() throws Exception {
    return new TomcatContainer();
  }

  @Override
  boolean closesEveryResponseAfterStopAccepting() {
    return false;
  }
}
