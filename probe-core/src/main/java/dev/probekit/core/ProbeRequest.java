package dev.probekit.core;

import dev.probekit.core.internal.TargetRequest;

/**
 * What {@link ProbeEndpoints} needs to know about an HTTP request; each adapter implements it as a
 * thin view over its server's own request type.
 */
public interface ProbeRequest {

  /** {@return the method, such as {@code "GET"}} */
  String method();

  /** {@return the raw (still percent-encoded) path, such as {@code "/readyz"}} */
  String rawPath();

  /**
   * {@return the raw (still percent-encoded) query without the {@code '?'}, or {@code null} if
   * none}
   */
  String rawQuery();

  /**
   * The first value of a request header, or {@code null}.
   *
   * @param name the header's name, matched case-insensitively
   * @return the first value, or {@code null}
   */
  String header(String name);

  /**
   * A request with no headers besides, optionally, {@code Accept}.
   *
   * @param method the method
   * @param rawPath the raw path
   * @param rawQuery the raw query or {@code null}
   * @param accept the Accept header or {@code null}
   * @return the request
   */
  static ProbeRequest of(String method, String rawPath, String rawQuery, String accept) {
    return new TargetRequest(method, rawPath, rawQuery) {
      @Override
      public String header(String name) {
        return accept != null && "Accept".equalsIgnoreCase(name) ? accept : null;
      }
    };
  }
}
