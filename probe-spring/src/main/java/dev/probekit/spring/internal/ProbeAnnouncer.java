package dev.probekit.spring.internal;

import dev.probekit.core.server.ProbeServer;
import java.net.InetSocketAddress;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.cloud.CloudPlatform;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;

/**
 * Says once, at start-up, where the probes are served: one INFO line with address, port and paths
 * for the main port and the probe port. On Kubernetes (Boot's {@link CloudPlatform}), when the
 * probes share a servlet container's workers with the application and there is no probe port, one
 * WARN line says that liveness fails when the workers are busy, and which property fixes it.
 */
public final class ProbeAnnouncer implements ApplicationListener<ApplicationStartedEvent> {

  private static final Logger log = LoggerFactory.getLogger(ProbeAnnouncer.class);
  private static final String PATHS = "/{livez,readyz,startupz,healthz}";

  private final Supplier<MainPortProbes> mainPort;
  private final Supplier<ProbeServer> probePort;
  private final String prefix;
  private final Environment environment;

  /**
   * @param mainPort the main port's probes, or a supplier of null when there is no web server
   * @param probePort the built-in probe server, or a supplier of null
   * @param prefix {@code probekit.prefix}
   * @param environment to tell whether the application runs on Kubernetes
   */
  public ProbeAnnouncer(
      Supplier<MainPortProbes> mainPort,
      Supplier<ProbeServer> probePort,
      String prefix,
      Environment environment) {
    this.mainPort = mainPort;
    this.probePort = probePort;
    this.prefix = prefix;
    this.environment = environment;
  }

  @Override
  public void onApplicationEvent(ApplicationStartedEvent event) {
    // Child contexts (such as Actuator's management context) publish this event too.
    if (event.getApplicationContext().getParent() != null) {
      return;
    }
    MainPortProbes web = mainPort.get();
    MainPortProbes main = web != null && web.served() ? web : null;
    ProbeServer server = probePort.get();
    String mainText =
        main != null ? main.base() + PATHS
            : web != null ? "none (probekit.serve-on-main-port=false)" : "none (not a web application)";
    String probeText = "none (probekit.server.port not set)";
    if (server != null) {
      InetSocketAddress a = server.address();
      String host = a.getAddress() == null || a.getAddress().isAnyLocalAddress()
          ? "*" : a.getAddress().getHostAddress();
      probeText = "http://" + host + ":" + server.port() + prefix + PATHS;
    }
    log.info("Probekit probes served on the main port at {} and on the probe port at {}",
        mainText, probeText);
    if (main != null && main.servlet() && server == null
        && CloudPlatform.getActive(environment) == CloudPlatform.KUBERNETES) {
      log.warn(
          "Probekit probes are served only on the main port, by the servlet container's worker"
              + " threads: when the application keeps them all busy, /livez times out and the"
              + " kubelet restarts the pod. Set probekit.server.port (for example 9090) and point"
              + " the pod's probes at it.");
    }
  }
}
