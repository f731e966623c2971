package io.sluice.loadtest.generator;

import java.nio.charset.StandardCharsets;

/** Deterministic ASCII text payloads of an exact size in bytes. */
public final class Payloads {
  private static final String WORDS =
      "the quick brown fox jumps over the lazy dog while streams of records flow through ";

  private Payloads() {}

  /** {@code bytes} bytes of readable ASCII text (UTF-8 size equals length). */
  public static String text(int bytes) {
    StringBuilder sb = new StringBuilder(bytes);
    while (sb.length() < bytes) {
      sb.append(WORDS, 0, Math.min(WORDS.length(), bytes - sb.length()));
    }
    return sb.toString();
  }

  /** UTF-8 size of a string. */
  public static int utf8Size(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
