package dev.probekit.servlet;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.testkit.ProbeContractKit;
import java.net.URI;

/**
 * The whole probe contract ({@link ProbeContractKit}) served by {@link ProbeServlet} on a real
 * container, wired the way users wire it ({@link ProbeServlets#register}, so the in-flight filter
 * sits in front), beside an application servlet. Subclassed per container and per context path.
 */
abstract class ContractTests extends ProbeContractKit {
  private TestContainer container;
  private TestApp app;

  /** A new, unstarted container. */
  abstract TestContainer newContainer() throws Exception;

  /** The context path the probes live under: {@code ""} for the root context. */
  abstract String contextPath();

  @Override
  protected URI startServer(ProbeEndpoints endpoints) throws Exception {
    HealthRegistry health = endpoints.health();
    Lifecycle lifecycle = Lifecycle.builder(health).exitOnSignal(false).build();
    app = new TestApp();
    container = newContainer();
    int port =
        container.start(
            contextPath(),
            (classes, context) -> {
              ProbeServlets.register(context, endpoints, lifecycle);
              app.register(context);
            });
    return URI.create("http://127.0.0.1:" + port + contextPath());
  }

  @Override
  protected void stopServer() throws Exception {
    app.close();
    container.close();
  }
}
