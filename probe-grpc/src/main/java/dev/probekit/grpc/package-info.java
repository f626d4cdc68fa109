/**
 * The standard gRPC health protocol ({@code grpc.health.v1.Health}) over Probekit's snapshots, for
 * Kubernetes' native {@code grpc:} probes, Envoy and gRPC clients: {@link
 * dev.probekit.grpc.ProbeHealthService} on the application's own server, {@link
 * dev.probekit.grpc.GrpcProbeServer} on a port of its own, and {@link dev.probekit.grpc.GrpcDrain}
 * to drain a gRPC server in the lifecycle's sequence.
 */
package dev.probekit.grpc;
