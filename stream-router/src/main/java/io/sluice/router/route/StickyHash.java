package io.sluice.router.route;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * Maps a salt and a stickiness key to a point in [0, 1) with murmur2, the hash Kafka's own
 * partitioner uses: deterministic across processes and versions, so a caller stays on its variant
 * for as long as the weights and the salt stay the same.
 */
public final class StickyHash {
  private static final double TWO_POW_31 = 2147483648.0;

  private StickyHash() {}

  /** A uniform point in [0, 1) for {@code salt} and {@code key}. */
  public static double unit(String salt, byte[] key) {
    byte[] s = salt.getBytes(StandardCharsets.UTF_8);
    byte[] buf = new byte[s.length + 1 + key.length];
    System.arraycopy(s, 0, buf, 0, s.length);
    // A separator so that ("ab", "c") and ("a", "bc") hash differently.
    buf[s.length] = 0;
    System.arraycopy(key, 0, buf, s.length + 1, key.length);
    return Utils.toPositive(Utils.murmur2(buf)) / TWO_POW_31;
  }
}
