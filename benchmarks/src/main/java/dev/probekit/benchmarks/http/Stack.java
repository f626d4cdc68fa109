package dev.probekit.benchmarks.http;

import java.net.InetSocketAddress;

/**
 * One server stack under test, started on loopback with random ports: where Probekit answers
 * {@code GET /readyz}, and where the same stack, configured the same way, answers a constant
 * {@code ok} with the same headers (the physical limit of that stack).
 */
interface Stack extends AutoCloseable {
  String name();

  InetSocketAddress probeAddress();

  String probePath();

  InetSocketAddress okAddress();

  String okPath();

  @Override
  void close();
}
