package io.sluice.loadtest.bridge;

/**
 * One {@code heap} answer of {@link InFlightBridgeMain}: {@code heap <used before GC> <used after
 * GC> <committed> <in flight> <open fds>}, sizes in bytes.
 */
record HeapReading(long usedBefore, long usedAfterGc, long committed, long inFlight, long fds) {
  private static final double MIB = 1024.0 * 1024.0;

  /**
   * Parses one answer line.
   *
   * @throws IllegalArgumentException if the line is not a {@code heap} answer of five numbers
   */
  static HeapReading parse(String line) {
    String[] f = line == null ? new String[0] : line.trim().split("\\s+", -1);
    if (f.length != 6 || !"heap".equals(f[0])) {
      throw new IllegalArgumentException("not a heap answer: '" + line + "'");
    }
    try {
      return new HeapReading(
          Long.parseLong(f[1]),
          Long.parseLong(f[2]),
          Long.parseLong(f[3]),
          Long.parseLong(f[4]),
          Long.parseLong(f[5]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a heap answer: '" + line + "'", e);
    }
  }

  double usedAfterGcMib() {
    return usedAfterGc / MIB;
  }

  double usedBeforeMib() {
    return usedBefore / MIB;
  }

  double committedMib() {
    return committed / MIB;
  }
}
