package io.sluice.testkit;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Scanner;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports to hand to a process that binds them later: drawn below the kernel's ephemeral
 * range, never from {@code bind(0)}.
 *
 * <p>A port {@code new ServerSocket(0)} returns is one the kernel hands out again, to the next
 * {@code bind(0)} and to the local end of any outbound connection. Picking ports that way and
 * starting a stack afterwards races the stack's own Kafka connections for them; that race failed CI
 * once ("Address already in use" on the dev stack's metrics port, 2026-12-02). {@code
 * scripts/free-ports} is the same rule for shell scripts.
 */
public final class FreePorts {
  private static final int LOW = 20_000;

  /** The top of the window: just below the ephemeral range, read once. */
  private static final int HIGH = Math.max(ephemeralLow() - 1, LOW + 1);

  private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  /**
   * A port free on the loopback now, below the ephemeral range and not given before by this JVM.
   */
  public static int next() {
    for (int attempt = 0; attempt < 2_000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOW, HIGH + 1);
      if (!GIVEN.contains(port) && bindable(port) && GIVEN.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port in " + LOW + "-" + HIGH);
  }

  /**
   * The first port of {@code net.ipv4.ip_local_port_range}; Linux's default where it is unreadable.
   */
  static int ephemeralLow() {
    // Scanner, not Files.readString: on JDK 17 readString stops at the first byte of a /proc file.
    try (Scanner range = new Scanner(Path.of("/proc/sys/net/ipv4/ip_local_port_range"), US_ASCII)) {
      return range.nextInt();
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort() == port;
    } catch (IOException e) {
      return false;
    }
  }
}
