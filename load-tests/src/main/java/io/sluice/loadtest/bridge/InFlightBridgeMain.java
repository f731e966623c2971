package io.sluice.loadtest.bridge;

import io.micrometer.core.instrument.Gauge;
import io.sluice.bridge.BridgeConfig;
import io.sluice.bridge.BridgeServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The bridge of {@link InFlightBenchmark}, alone in its own JVM so that its heap is the bridge's
 * (not the broker's or the 10,000 callers'). On stdout, after {@link #MARK}, it prints {@code ready
 * <port>} once it can receive replies, then answers each {@code heap} line on stdin with {@code
 * heap <used before GC> <used after GC> <committed> <in flight> <open fds>} (bytes; in flight is
 * the bridge's own {@code sluice.bridge.in.flight} gauge); {@code quit} or end of input stops it.
 *
 * <p>{@code InFlightBridgeMain <bootstrap> <registry url> <max in flight> <default timeout ms>}
 */
public final class InFlightBridgeMain {
  /** Starts each answer line: the bridge's log goes to stdout too, and is told apart by it. */
  static final String MARK = "@bench ";

  private InFlightBridgeMain() {}

  public static void main(String[] args) throws Exception {
    BridgeConfig config =
        BridgeConfig.of(
            Map.of(
                BridgeConfig.HOST, "127.0.0.1",
                BridgeConfig.PORT, "0",
                BridgeConfig.BOOTSTRAP_SERVERS, args[0],
                BridgeConfig.SCHEMA_REGISTRY_URL, args[1],
                BridgeConfig.MAX_IN_FLIGHT, args[2],
                BridgeConfig.DEFAULT_TIMEOUT_MS, args[3]));
    try (BridgeServer bridge = BridgeServer.start(config)) {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!bridge.ready() && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      if (!bridge.ready()) {
        System.out.println(MARK + "failed: bridge not ready after 60 s");
        return;
      }
      System.out.println(MARK + "ready " + bridge.port());
      System.out.flush();
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      Gauge inFlight = bridge.metrics().find("sluice.bridge.in.flight").gauge();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if ("heap".equals(line.trim())) {
          long before = memory.getHeapMemoryUsage().getUsed();
          memory.gc();
          long after = memory.getHeapMemoryUsage().getUsed();
          System.out.printf(
              Locale.ROOT,
              MARK + "heap %d %d %d %d %d%n",
              before,
              after,
              memory.getHeapMemoryUsage().getCommitted(),
              inFlight == null ? -1 : Math.round(inFlight.value()),
              openFds());
          System.out.flush();
        } else if ("quit".equals(line.trim())) {
          break;
        }
      }
    }
  }

  /** Open file descriptors of this process (sockets included); -1 where /proc is missing. */
  private static long openFds() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    } catch (java.io.IOException | RuntimeException e) {
      return -1;
    }
  }
}
