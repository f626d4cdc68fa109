package dev.probekit.servlet;

/** {@link DrainTests} on embedded Jetty 12.1 (ee11) with {@code JettyStopHook}. */
class JettyDrainTest extends DrainTests {
  @Override
  TestContainer newContainer() {
    return new JettyContainer();
  }

  @Override
  boolean closesEveryResponseAfterStopAccepting() {
    return true;
  }
}
