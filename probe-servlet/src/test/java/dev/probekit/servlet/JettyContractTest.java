package dev.probekit.servlet;

import java.util.ArrayList;
import java.util.List;

/** The probe contract on embedded Jetty 12.1 (ee11), in the root context. */
class JettyContractTest extends ContractTests {
  @Override
  TestContainer newContainer() {
    return new JettyContainer();
  }

  @Override
  String contextPath() {
    return "";
  }

  /** Jetty hands TRACE to the servlet like any other method. */
  @Override
  protected List<String> methodsAnswered405() {
    List<String> methods = new ArrayList<>(super.methodsAnswered405());
    methods.add("TRACE");
    return methods;
  }
}
