/**
 * Probekit's Spring Boot machinery: registrars, adapters and bridges wired by the
 * auto-configuration. Not public API; it may change in any release.
 */
package dev.probekit.spring.internal;
