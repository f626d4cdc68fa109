/** Stop hook for embedded Tomcat 11; needs Tomcat on the classpath, nothing else here does. */
package dev.probekit.servlet.tomcat;
