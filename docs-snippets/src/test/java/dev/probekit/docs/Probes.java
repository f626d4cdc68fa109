package dev.probekit.docs;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.servlet.ProbeServlets;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

/** docs/servlet.md: what a WAR declares in its {@code web.xml}. */
// tag::war[]
public class Probes implements ServletContextListener {
  private HealthRegistry health;
  private Lifecycle lifecycle;

  @Override
  public void contextInitialized(ServletContextEvent event) {
    health = HealthRegistry.builder().build();
    // health.register(...) your checks
    lifecycle = Lifecycle.builder(health).fromEnvironment().build();
    ProbeServlets.register(event.getServletContext(), ProbeEndpoints.of(health), lifecycle);
    lifecycle.installSignalHandler(); // one webapp per JVM, as in a pod: SIGTERM drains first
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    lifecycle.shutdown(); // joins a drain already under way
    health.close();
  }
}
// end::war[]
