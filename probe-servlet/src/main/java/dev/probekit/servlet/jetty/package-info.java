/** Stop hook for embedded Jetty 12.1; needs Jetty on the classpath, nothing else here does. */
package dev.probekit.servlet.jetty;
