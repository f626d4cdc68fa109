/**
 * Machinery of the servlet adapter. Not public API: anything here may change in any release,
 * without notice.
 */
package dev.probekit.servlet.internal;
