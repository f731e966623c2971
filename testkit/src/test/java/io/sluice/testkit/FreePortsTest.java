package io.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {
  @Test
  void portsAreBelowTheEphemeralRangeDistinctAndBindable() throws Exception {
    int low = FreePorts.ephemeralLow();
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      ports.add(FreePorts.next());
    }
    assertThat(ports).hasSize(50).allMatch(p -> p >= 20_000 && p < Math.max(low, 20_002));
    for (int port : ports) {
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        assertThat(s.getLocalPort()).isEqualTo(port);
      }
    }
  }

  @Test
  void aPortSomeoneElseHoldsIsNeverGiven() throws Exception {
    // Hold a tenth of the window directly (not through FreePorts), then draw: without the bind
    // check about one draw in ten would land on a held port.
    int high = Math.max(FreePorts.ephemeralLow() - 1, 20_001);
    Set<Integer> held = new HashSet<>();
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int port = 20_000; port <= high; port += 10) {
        try {
          sockets.add(new ServerSocket(port, 1, InetAddress.getLoopbackAddress()));
          held.add(port);
        } catch (IOException taken) {
          // already in use by something else: held all the same
        }
      }
      for (int i = 0; i < 300; i++) {
        assertThat(held).doesNotContain(FreePorts.next());
      }
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }
}
