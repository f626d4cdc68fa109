/**
 * Probekit on Jakarta Servlet 6.1 containers (Jetty 12.1 ee11, Tomcat 11, any WAR container).
 *
 * <ul>
 *   <li>{@link dev.probekit.servlet.ProbeServlet}: serves the probe contract of a {@link
 *       dev.probekit.core.ProbeEndpoints}; long polls park in async mode, no container thread
 *       waits;
 *   <li>{@link dev.probekit.servlet.InflightFilter}: counts application requests into the drain
 *       and adds {@code Connection: close} while draining;
 *   <li>{@link dev.probekit.servlet.ProbeServlets}: registers both in one call;
 *   <li>{@link dev.probekit.servlet.ServletStreams}: ends async streams (server-sent events) when
 *       the drain starts;
 *   <li>{@code dev.probekit.servlet.jetty} and {@code dev.probekit.servlet.tomcat}: stop an
 *       embedded server's connectors at the stop-accepting step.
 * </ul>
 *
 * <p>probe-spring's servlet support is built on these same classes, so a Spring MVC application
 * drains exactly as these tests prove.
 */
package dev.probekit.servlet;
