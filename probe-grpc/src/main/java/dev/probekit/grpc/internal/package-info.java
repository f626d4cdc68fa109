/**
 * Machinery of probe-grpc. Not public API: anything here may change in any release, without
 * notice.
 */
package dev.probekit.grpc.internal;
