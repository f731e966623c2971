package io.sluice.simulator;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.SplittableRandom;

/**
 * The simulator's deterministic embeddings: a text's vector is drawn from a generator seeded by the
 * text (so equal texts give equal vectors and different texts, almost surely, different ones), cut
 * to the dimensions asked for and scaled to unit length, as a Matryoshka model's are.
 */
final class Embeddings {
  /** Dimensions when a call names none. */
  static final int DEFAULT_DIMENSIONS = 32;

  /** Most dimensions a call may ask for. */
  static final int MAX_DIMENSIONS = 4096;

  private Embeddings() {}

  /** The unit vector of {@code text} in {@code dimensions} dimensions. */
  static float[] vector(String text, int dimensions) {
    SplittableRandom random = new SplittableRandom(seed(text));
    float[] v = new float[dimensions];
    double norm = 0;
    for (int i = 0; i < dimensions; i++) {
      v[i] = (float) (random.nextDouble() * 2 - 1);
      norm += v[i] * v[i];
    }
    float scale = (float) (1 / Math.sqrt(Math.max(norm, 1e-12)));
    for (int i = 0; i < dimensions; i++) {
      v[i] *= scale;
    }
    return v;
  }

  /** OpenAI's base64 form: the float32 values, little-endian, base64-encoded. */
  static String base64(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return Base64.getEncoder().encodeToString(b.array());
  }

  /** FNV-1a over the UTF-16 code units: stable across runs and JVMs. */
  private static long seed(String text) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < text.length(); i++) {
      h ^= text.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }
}
