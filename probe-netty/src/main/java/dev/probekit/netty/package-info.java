/**
 * Probekit on Netty 4.2 HTTP/1.1 pipelines.
 *
 * <ul>
 *   <li>{@link dev.probekit.netty.ProbeHandler}: answers the probe contract on the event loop from
 *       the snapshots' pre-rendered bytes, and passes every other request through untouched;
 *   <li>{@link dev.probekit.netty.NettyDrain}: counts application requests into the lifecycle's
 *       in-flight tracker, adds {@code Connection: close} while draining, and closes idle
 *       connections when the drain starts;
 *   <li>{@link dev.probekit.netty.NettyShutdown}: closes the server channels when the lifecycle
 *       stops accepting and shuts the event loop groups down after the drain;
 *   <li>{@link dev.probekit.netty.EventLoopStallCheck}: a liveness check that every event loop
 *       makes progress;
 *   <li>{@link dev.probekit.netty.NettyProbeServer}: the probes on their own Netty port.
 * </ul>
 */
package dev.probekit.netty;
