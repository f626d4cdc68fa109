package dev.probekit.docs;

import dev.probekit.core.DetailsPolicy;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.server.ProbeServer;

/** The samples of docs/http-contract.md. */
final class ContractSnippets {

  private ContractSnippets() {}

  static ProbeServer details(HealthRegistry health) {
    // tag::details[]
    ProbeEndpoints endpoints = ProbeEndpoints.builder(health)
        .detailsPolicy(DetailsPolicy.bearerToken(System.getenv("PROBE_TOKEN"))) // reasons for the token holder
        .prefix("/health")                                                       // /health/livez, ...
        .build();
    ProbeServer server = ProbeServer.builder(endpoints).port(8081).start();
    // end::details[]
    return server;
  }
}
