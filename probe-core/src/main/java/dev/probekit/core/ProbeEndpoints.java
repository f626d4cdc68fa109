package dev.probekit.core;

import dev.probekit.core.internal.PercentDecoding;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * The HTTP probe contract, independent of any server: maps a request to a {@link ProbeResponse}.
 *
 * <table>
 *   <caption>Paths (after the optional prefix)</caption>
 *   <tr><td>{@code /livez}</td><td>liveness checks</td></tr>
 *   <tr><td>{@code /readyz}</td><td>readiness checks and the lifecycle's draining state</td></tr>
 *   <tr><td>{@code /startupz}</td><td>startup checks and dependency waits</td></tr>
 *   <tr><td>{@code /healthz}</td><td>every check</td></tr>
 *   <tr><td>{@code /<probe>/<name>}</td><td>one check of that probe, e.g. {@code /readyz/db}</td></tr>
 * </table>
 *
 * <p>GET and HEAD only (else 405 with {@code Allow: GET, HEAD}); 200 when UP, 503 when DOWN;
 * plain text {@code ok} / {@code <probe> check failed} by default, one line per check with {@code
 * ?verbose}, JSON with {@code Accept: application/json} or {@code ?format=json}, the IETF
 * health-check format when {@code Accept} prefers {@code application/health+json} (and no {@code
 * ?format=} says otherwise); {@code ?exclude=}
 * (repeatable) evaluates without the named checks. Reasons are withheld unless the {@link
 * DetailsPolicy} allows them. Bad input gets a 4xx with a short plain-text reason: 400 for
 * malformed percent escapes, 414 for a path or query over {@value #MAX_URI_COMPONENT_LENGTH}
 * characters, 404 for unknown paths and checks. Unknown query parameters are ignored.
 *
 * <p>Every probe verdict (200 or 503) carries an {@code ETag} naming its status: strong {@code
 * "up"} / {@code "down"} for plain text without {@code ?verbose} (its bytes are decided by the
 * status), weak {@code W/"up"} / {@code W/"down"} for verbose, JSON and health+json answers, whose
 * bytes change while the status does not. A request
 * whose {@code If-None-Match} names the current status gets a 304 without a body; with {@code
 * Prefer: wait=N} it may wait for a change instead (see {@link #watch(ProbeRequest)} and
 * docs/long-poll.md).
 *
 * <p>A plain probe request (no query, no JSON) is answered from the snapshot's pre-rendered bytes
 * without allocating. Thread-safe; immutable but for the watchers it keeps.
 */
public final class ProbeEndpoints {

  /** The longest raw path or query accepted, in characters: {@value}. */
  public static final int MAX_URI_COMPONENT_LENGTH = 2048;

  private static final String[] SEGMENTS = {"/livez", "/readyz", "/startupz", "/healthz"};
  private static final Probe[] PROBES = {Probe.LIVENESS, Probe.READINESS, Probe.STARTUP, null};

  private static final ProbeResponse NOT_FOUND = ProbeResponse.text(404, "not found");
  private static final ProbeResponse CHECK_NOT_FOUND = ProbeResponse.text(404, "check not found");
  private static final ProbeResponse METHOD_NOT_ALLOWED = ProbeResponse.methodNotAllowed();
  private static final ProbeResponse URI_TOO_LONG = ProbeResponse.text(414, "URI too long");
  private static final ProbeResponse BAD_PATH =
      ProbeResponse.text(400, "malformed percent-encoding in path");
  private static final ProbeResponse BAD_QUERY =
      ProbeResponse.text(400, "malformed percent-encoding in query");

  private final HealthRegistry health;
  private final String prefix;
  private final DetailsPolicy detailsPolicy;
  private final String[] paths;
  /** Created on the first long-poll, so endpoints that never see one register no listener. */
  private volatile WatchHub hub;
  /** Where readiness 503s are counted for the pre-stop evidence; null for a foreign HealthRegistry. */
  private final LongAdder readinessDownAnswers;

  private ProbeEndpoints(Builder b) {
    this.health = b.health;
    this.readinessDownAnswers =
        b.health instanceof DefaultHealthRegistry ? ((DefaultHealthRegistry) b.health).readinessDownAnswers : null;
    this.prefix = b.prefix;
    this.detailsPolicy = b.detailsPolicy;
    this.paths = new String[SEGMENTS.length];
    for (int i = 0; i < SEGMENTS.length; i++) {
      paths[i] = prefix + SEGMENTS[i];
    }
  }

  /**
   * The contract at the root paths, with details never shown.
   *
   * @param health the checks to serve
   * @return the endpoints
   */
  public static ProbeEndpoints of(HealthRegistry health) {
    return builder(health).build();
  }

  /**
   * A builder for the contract over {@code health}.
   *
   * @param health the checks to serve
   * @return a new builder
   */
  public static Builder builder(HealthRegistry health) {
    return new Builder(health);
  }

  /** {@return the {@link HealthRegistry} served} */
  public HealthRegistry health() {
    return health;
  }

  /** {@return the path prefix, empty or such as {@code "/health"}} */
  public String prefix() {
    return prefix;
  }

  /**
   * The full path of a probe, such as {@code "/health/readyz"}.
   *
   * @param probe the probe
   * @return the path, prefix included
   */
  public String path(Probe probe) {
    return paths[probe.ordinal()];
  }

  /** {@return the full path of the overall view, such as {@code "/healthz"}} */
  public String overallPath() {
    return paths[3];
  }

  /**
   * Whether a raw path belongs to the contract (a probe path, or a check under one), so adapters
   * can pass every other request through untouched. Paths are matched literally, before any
   * percent-decoding.
   *
   * @param rawPath the request's raw path
   * @return whether {@link #handle(ProbeRequest)} answers it; {@code false} for {@code null}
   */
  public boolean matches(String rawPath) {
    return rawPath != null && view(rawPath) >= 0;
  }

  /**
   * Answers a request.
   *
   * @param method the method
   * @param rawPath the raw path
   * @param rawQuery the raw query or {@code null}
   * @param accept the Accept header or {@code null}
   * @return the response, as {@link #handle(ProbeRequest)} gives it
   */
  public ProbeResponse handle(String method, String rawPath, String rawQuery, String accept) {
    return handle(ProbeRequest.of(method, rawPath, rawQuery, accept));
  }

  /**
   * Answers a request: never throws for any input, never answers 5xx other than 503 for a DOWN
   * probe.
   *
   * @param request the request
   * @return the response for the adapter to write; never {@code null}
   */
  public ProbeResponse handle(ProbeRequest request) {
    ProbeResponse response = respond(request);
    if (response.status() == 503
        && readinessDownAnswers != null
        && path(Probe.READINESS).equals(request.rawPath())) {
      // A balancer's readiness probe answered DOWN: evidence for the pre-stop step's summary.
      readinessDownAnswers.increment();
    }
    String etag = response.etag();
    if (etag != null && ETags.matches(request.header("If-None-Match"), etag)) {
      response = DefaultResponses.notModified(etag);
    }
    // Every answer to a HEAD, errors included, is the body-less variant, so adapters only ever
    // call writeBody and never decide themselves whether a body goes out.
    return "HEAD".equals(request.method()) ? response.forHead() : response;
  }

  private ProbeResponse respond(ProbeRequest request) {
    String path = request.rawPath();
    if (path == null) {
      return NOT_FOUND;
    }
    if (path.length() > MAX_URI_COMPONENT_LENGTH) {
      return URI_TOO_LONG;
    }
    int view = view(path);
    if (view < 0) {
      return NOT_FOUND;
    }
    String method = request.method();
    boolean head = "HEAD".equals(method);
    if (!head && !"GET".equals(method)) {
      return METHOD_NOT_ALLOWED;
    }
    String query = request.rawQuery();
    if (query != null && query.length() > MAX_URI_COMPONENT_LENGTH) {
      return URI_TOO_LONG;
    }
    Probe probe = PROBES[view];
    ProbeSnapshot snapshot = probe == null ? health.overall() : health.snapshot(probe);
    boolean single = path.length() > paths[view].length();
    String accept = request.header("Accept");
    // An explicit ?format= wins over Accept, as it does for JSON.
    boolean healthJson =
        HealthJsonRenderer.preferred(accept) && (query == null || !query.contains("format="));
    boolean json = !healthJson && wantsJson(accept);
    if (!single && !json && !healthJson && (query == null || query.isEmpty())) {
      // The hot path: a volatile read and a pre-rendered response, its strong ETag included.
      return snapshot.response(head);
    }

    ProbeQuery parsed;
    try {
      parsed = ProbeQuery.parse(query, json);
    } catch (IllegalArgumentException e) {
      return BAD_QUERY;
    }
    boolean details = detailsAllowed(request);
    ProbeResponse response;
    if (single) {
      String name;
      try {
        name = PercentDecoding.decode(path.substring(paths[view].length() + 1), false);
      } catch (IllegalArgumentException e) {
        return BAD_PATH;
      }
      CheckState state = snapshot.check(name).orElse(null);
      if (state == null) {
        return CHECK_NOT_FOUND;
      }
      response =
          healthJson
              ? HealthJsonRenderer.renderCheck(snapshot, state, parsed, details)
              : ResponseRenderer.renderCheck(snapshot, state, parsed, details);
    } else {
      response =
          healthJson
              ? HealthJsonRenderer.renderProbe(snapshot, parsed, details)
              : ResponseRenderer.renderProbe(snapshot, parsed, details);
    }
    // Plain text without ?verbose is decided by the status alone: a strong tag; else weak.
    return response.withEtag(!healthJson && !parsed.json && !parsed.verbose);
  }

  /**
   * Whether {@code request} is a long-poll that should wait, and for how long: it sends {@code
   * Prefer: wait=N} (N seconds, at most {@link ProbeWatch#MAX_WAIT}) and an {@code If-None-Match}
   * that names the probe's current status. If so, the adapter parks the request without holding a
   * thread, listens with {@link ProbeWatch#subscribe(Runnable)}, and answers with {@link
   * ProbeWatch#poll(boolean)} as soon as that returns an answer, or with {@link
   * ProbeWatch#answer()} once {@link ProbeWatch#timeoutNanos()} have passed (a 304 if nothing
   * changed). Otherwise ({@code null}) it answers {@link #handle(ProbeRequest)} at once, which
   * answers a matching {@code If-None-Match} with 304. Never throws.
   *
   * @param request the request; it must stay readable until the watch ends
   * @return the watch, or {@code null} to answer at once
   */
  public ProbeWatch watch(ProbeRequest request) {
    try {
      long waitNanos = ProbeWatch.requestedWaitNanos(request.header("Prefer"));
      String ifNoneMatch = request.header("If-None-Match");
      if (waitNanos <= 0 || ifNoneMatch == null) {
        return null;
      }
      ProbeResponse now = respond(request);
      if (!ETags.matches(ifNoneMatch, now.etag())) {
        return null;
      }
      return new ProbeWatch(this, request, waitNanos);
    } catch (RuntimeException e) {
      // A request we cannot judge is answered at once, as any other.
      return null;
    }
  }

  /**
   * Wakes every parked watcher so its adapter asks {@link ProbeWatch#poll(boolean)} again, as at
   * the start of a drain, when watchers are released. Status changes wake them by themselves.
   */
  public void wakeWatchers() {
    WatchHub existing = hub;
    if (existing != null) {
      existing.wake();
    }
  }

  /** The hub watchers subscribe to, created (and registered with the health) on first use. */
  WatchHub hub() {
    WatchHub existing = hub;
    if (existing == null) {
      synchronized (this) {
        existing = hub;
        if (existing == null) {
          existing = WatchHub.listenTo(health);
          hub = existing;
        }
      }
    }
    return existing;
  }

  /** Asks the policy; a policy that throws withholds details rather than failing the probe. */
  private boolean detailsAllowed(ProbeRequest request) {
    try {
      return detailsPolicy.allows(request);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Index into {@link #paths} of the view {@code rawPath} addresses, or -1. */
  private int view(String rawPath) {
    for (int i = 0; i < paths.length; i++) {
      String p = paths[i];
      if (rawPath.startsWith(p)
          && (rawPath.length() == p.length()
              || (rawPath.charAt(p.length()) == '/' && rawPath.length() > p.length() + 1))) {
        return i;
      }
    }
    return -1;
  }

  private static boolean wantsJson(String accept) {
    return accept != null && accept.contains("application/json");
  }

  @Override
  public String toString() {
    return "ProbeEndpoints{prefix='" + prefix + "'}";
  }

  /** The parsed query of a probe request. */
  static final class ProbeQuery {
    final boolean verbose;
    final boolean json;
    final List<String> excludes;

    private ProbeQuery(boolean verbose, boolean json, List<String> excludes) {
      this.verbose = verbose;
      this.json = json;
      this.excludes = excludes;
    }

    static ProbeQuery parse(String query, boolean acceptJson) {
      boolean verbose = false;
      boolean json = acceptJson;
      List<String> excludes = new ArrayList<>();
      if (query != null && !query.isEmpty()) {
        for (String pair : query.split("&", -1)) {
          if (pair.isEmpty()) {
            continue;
          }
          int eq = pair.indexOf('=');
          String key = PercentDecoding.decode(eq < 0 ? pair : pair.substring(0, eq), true);
          String value = eq < 0 ? "" : PercentDecoding.decode(pair.substring(eq + 1), true);
          switch (key) {
            case "verbose":
              verbose = !"false".equals(value) && !"0".equals(value);
              break;
            case "exclude":
              if (!value.isEmpty()) {
                excludes.add(value);
              }
              break;
            case "format":
              if ("json".equals(value)) {
                json = true;
              } else if ("text".equals(value)) {
                json = false;
              }
              break;
            default:
              // Unknown parameters are ignored, as the contract says.
              break;
          }
        }
      }
      return new ProbeQuery(verbose, json, excludes);
    }
  }

  /** Builds {@link ProbeEndpoints}. */
  public static final class Builder {
    private final HealthRegistry health;
    private String prefix = "";
    private DetailsPolicy detailsPolicy = DetailsPolicy.never();

    Builder(HealthRegistry health) {
      this.health = Objects.requireNonNull(health, "health");
    }

    /**
     * A path prefix such as {@code "/health"}, so probes are served at {@code /health/livez};
     * default none. Must start with {@code '/'} and not end with one; {@code "/"} means none.
     *
     * @param prefix the prefix, empty or {@code "/"} for none
     * @return this builder
     * @throws IllegalArgumentException if it does not start with {@code '/'}, ends with one, or
     *     holds a query ({@code ?})
     */
    public Builder prefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (prefix.equals("/")) {
        prefix = "";
      }
      if (!prefix.isEmpty()
          && (!prefix.startsWith("/") || prefix.endsWith("/") || prefix.contains("?"))) {
        throw new IllegalArgumentException(
            "prefix: '" + prefix + "' (expected: empty or like /health)");
      }
      this.prefix = prefix;
      return this;
    }

    /**
     * Who may see reasons and details; default {@link DetailsPolicy#never()}.
     *
     * @param detailsPolicy the policy
     * @return this builder
     */
    public Builder detailsPolicy(DetailsPolicy detailsPolicy) {
      this.detailsPolicy = Objects.requireNonNull(detailsPolicy, "detailsPolicy");
      return this;
    }

    /** {@return the endpoints} */
    public ProbeEndpoints build() {
      return new ProbeEndpoints(this);
    }
  }
}
