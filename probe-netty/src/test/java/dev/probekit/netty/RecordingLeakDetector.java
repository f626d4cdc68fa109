package dev.probekit.netty;

import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A Netty leak detector that records every leak report, so tests can fail on them instead of
 * leaving an ERROR line in a log nobody reads. Installed for the whole test JVM by surefire with
 * {@code -Dio.netty.customResourceLeakDetector=dev.probekit.netty.RecordingLeakDetector} and
 * {@code -Dio.netty.leakDetection.level=paranoid} (see the module's pom); {@link LeakCheck} reads it.
 */
public final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {
  private static final ConcurrentLinkedQueue<String> LEAKS = new ConcurrentLinkedQueue<>();
  private static volatile boolean installed;

  /** Called by Netty's ResourceLeakDetectorFactory. */
  public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
    super(resourceType, samplingInterval);
    installed = true;
  }

  /** Called by older factories; same as the two-argument constructor. */
  public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
    this(resourceType, samplingInterval);
  }

  /** Whether Netty created at least one detector of this class in this JVM. */
  static boolean installed() {
    return installed;
  }

  /** The leaks reported so far, which are then forgotten. */
  static List<String> drain() {
    List<String> out = new ArrayList<>();
    for (String leak; (leak = LEAKS.poll()) != null; ) {
      out.add(leak);
    }
    return out;
  }

  @Override
  protected boolean needReport() {
    return true; // record even when Netty's own logger would not print the report
  }

  @Override
  protected void reportTracedLeak(String resourceType, String records) {
    LEAKS.add("LEAK: " + resourceType + records);
    super.reportTracedLeak(resourceType, records);
  }

  @Override
  protected void reportUntracedLeak(String resourceType) {
    LEAKS.add("LEAK: " + resourceType + " (untraced)");
    super.reportUntracedLeak(resourceType);
  }
}
