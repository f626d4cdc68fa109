package dev.probekit.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP probe as the kubelet (1.32) sends it: a GET on a fresh connection with {@code
 * User-Agent: kube-probe/1.32}, {@code Accept: *}{@code /*} and {@code Connection: close}, a 1 s
 * timeout by default, at most 10 KiB of body read, success when 200 <= status < 400.
 */
public final class KubeletProbe {
  /** What the kubelet reads of a body at most. */
  static final int MAX_BODY = 10 * 1024;

  private KubeletProbe() {}

  /**
   * The outcome of one probe.
   *
   * @param status the HTTP status, or -1 when there was none (refused, reset, timed out)
   * @param body up to 10 KiB of body
   * @param nanos how long the probe took
   * @param error why there was no status, or null
   */
  public record Result(int status, String body, long nanos, String error) {
    /** The kubelet's rule: 200 <= status < 400. */
    public boolean success() {
      return status >= 200 && status < 400;
    }
  }

  /** Probes {@code path} on {@code port} of 127.0.0.1 with {@code timeoutMillis}. */
  public static Result get(int port, String path, int timeoutMillis) {
    long t0 = System.nanoTime();
    byte[] request =
        ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUser-Agent: kube-probe/1.32\r\n"
                + "Accept: */*\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    try (Socket socket = new Socket()) {
      long deadline = t0 + timeoutMillis * 1_000_000L;
      socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
      socket.setSoTimeout(remaining(deadline));
      socket.getOutputStream().write(request);
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      StringBuilder text = new StringBuilder();
      int headerEnd = -1;
      int n;
      while ((n = in.read(buffer)) >= 0) {
        text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
        if (headerEnd < 0) {
          headerEnd = text.indexOf("\r\n\r\n");
        }
        if (headerEnd >= 0 && text.length() - headerEnd - 4 >= MAX_BODY) {
          break;
        }
        socket.setSoTimeout(remaining(deadline));
      }
      if (!text.toString().startsWith("HTTP/1.") || text.length() < 12) {
        return new Result(-1, "", System.nanoTime() - t0, "no status line");
      }
      int status = Integer.parseInt(text.substring(9, 12));
      String body = headerEnd < 0 ? "" : text.substring(headerEnd + 4, Math.min(text.length(), headerEnd + 4 + MAX_BODY));
      return new Result(status, body, System.nanoTime() - t0, null);
    } catch (SocketTimeoutException e) {
      return new Result(-1, "", System.nanoTime() - t0, "timeout after " + timeoutMillis + " ms");
    } catch (IOException | RuntimeException e) {
      return new Result(-1, "", System.nanoTime() - t0, e.toString());
    }
  }

  private static int remaining(long deadline) throws SocketTimeoutException {
    long ms = (deadline - System.nanoTime()) / 1_000_000L;
    if (ms <= 0) {
      throw new SocketTimeoutException("probe deadline");
    }
    return (int) ms;
  }
}
