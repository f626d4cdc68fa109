package dev.probekit.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Decides whether a request may see details: check messages, exception class and message, and
 * details maps. Without details, a failing check reads {@code [-]db failed: reason withheld}.
 *
 * <p>The default is {@link #never()}: a probe endpoint is often reachable by more than its
 * operators, and reasons can name hosts, users or versions.
 */
@FunctionalInterface
public interface DetailsPolicy {

  /**
   * Whether {@code request} may see details.
   *
   * @param request the request being answered
   * @return {@code true} to show details
   */
  boolean allows(ProbeRequest request);

  /**
   * Never show details (the default).
   *
   * @return the policy
   */
  static DetailsPolicy never() {
    return request -> false;
  }

  /**
   * Always show details; for endpoints that only operators can reach.
   *
   * @return the policy
   */
  static DetailsPolicy always() {
    return request -> true;
  }

  /**
   * Show details when {@code predicate} accepts the request.
   *
   * @param predicate a test on the request, such as a header check
   * @return the policy
   */
  static DetailsPolicy when(Predicate<ProbeRequest> predicate) {
    Objects.requireNonNull(predicate, "predicate");
    return predicate::test;
  }

  /**
   * Show details to requests carrying {@code Authorization: Bearer <token>}. The scheme is matched
   * in any case ({@code bearer}, {@code BEARER}, as RFC 7235 says), followed by one or more spaces;
   * the token is compared in constant time, so its bytes cannot be guessed from response times.
   *
   * @param token the expected token; not empty
   * @return the policy
   * @throws IllegalArgumentException if {@code token} is empty
   */
  static DetailsPolicy bearerToken(String token) {
    Objects.requireNonNull(token, "token");
    if (token.isEmpty()) {
      throw new IllegalArgumentException("token: empty (expected: non-empty)");
    }
    byte[] expected = token.getBytes(StandardCharsets.UTF_8);
    return request -> {
      String header = request.header("Authorization");
      if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return false;
      }
      int start = 7;
      while (start < header.length() && header.charAt(start) == ' ') {
        start++;
      }
      // MessageDigest.isEqual takes the same time for any two arrays of the expected length.
      return MessageDigest.isEqual(
          expected, header.substring(start).getBytes(StandardCharsets.UTF_8));
    };
  }
}
