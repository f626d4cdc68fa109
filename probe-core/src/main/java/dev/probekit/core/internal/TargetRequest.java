package dev.probekit.core.internal;

import dev.probekit.core.ProbeRequest;

/**
 * A {@link ProbeRequest} whose method, raw path and raw query are fixed when it is made (by {@link
 * RequestTargets}, or by the server); each adapter adds only its header lookup.
 */
public abstract class TargetRequest implements ProbeRequest {
  private final String method;
  private final String rawPath;
  private final String rawQuery;

  /**
   * A request of {@code method} for {@code rawPath} and {@code rawQuery}.
   *
   * @param method the method, such as {@code "GET"}
   * @param rawPath the raw path, still percent-encoded
   * @param rawQuery the raw query without {@code '?'}, or {@code null}
   */
  protected TargetRequest(String method, String rawPath, String rawQuery) {
    this.method = method;
    this.rawPath = rawPath;
    this.rawQuery = rawQuery;
  }

  @Override
  public final String method() {
    return method;
  }

  @Override
  public final String rawPath() {
    return rawPath;
  }

  @Override
  public final String rawQuery() {
    return rawQuery;
  }

  @Override
  public String toString() {
    return method + ' ' + rawPath + (rawQuery == null ? "" : "?" + rawQuery);
  }
}
