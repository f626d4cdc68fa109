package dev.probekit.servlet;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.Lifecycle;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.time.Duration;

/**
 * What a WAR declares in its {@code web.xml} (or annotates {@code @WebListener}): docs/servlet.md's
 * example, with a zero pre-stop delay for the test. Publishes its lifecycle as a context attribute
 * so the test can look inside.
 */
public class WarProbes implements ServletContextListener {
  static final String LIFECYCLE_ATTRIBUTE = "test.probekit.lifecycle";

  private HealthRegistry health;
  private Lifecycle lifecycle;

  @Override
  public void contextInitialized(ServletContextEvent event) {
    health = HealthRegistry.builder().build();
    lifecycle =
        Lifecycle.builder(health).preStopDelay(Duration.ZERO).exitOnSignal(false).build();
    ServletContext context = event.getServletContext();
    ProbeServlets.register(context, ProbeEndpoints.of(health), lifecycle);
    context.setAttribute(LIFECYCLE_ATTRIBUTE, lifecycle);
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    lifecycle.shutdown();
    health.close();
  }
}
