package dev.probekit.servlet;

/**
 * The probe contract on embedded Tomcat 11, in the root context. Tomcat answers TRACE itself
 * (405, its connector's {@code allowTrace} is off) before any servlet runs, so the kit's default
 * methods apply.
 */
class TomcatContractTest extends ContractTests {
  @Override
  TestContainer newContainer() throws Exception {
    return new TomcatContainer();
  }

  @Override
  String contextPath() {
    return "";
  }
}
