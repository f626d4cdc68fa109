/**
 * Shared machinery of Probekit's modules. Not public API: anything here may change in any
 * release, without notice.
 */
package dev.probekit.core.internal;
