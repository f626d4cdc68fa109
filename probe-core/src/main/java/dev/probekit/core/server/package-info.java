/**
 * The built-in probe server: {@link dev.probekit.core.server.ProbeServer} serves the probe
 * contract on its own port with one selector thread and no dependency, so that probes are answered
 * however busy the application's own server is, and however hostile its clients are (limits on
 * head size, head deadline, idle time and connections).
 */
package dev.probekit.core.server;
