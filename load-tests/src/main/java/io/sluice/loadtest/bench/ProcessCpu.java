package io.sluice.loadtest.bench;

import java.lang.management.ManagementFactory;

/**
 * CPU time this JVM has used, all threads together. On a CPU-bound machine, CPU per operation is a
 * steadier figure than operations per second: another process's load stretches the wall clock of a
 * phase but not the CPU each operation costs (apart from cache and scheduler effects).
 */
public final class ProcessCpu {
  private ProcessCpu() {}

  /** CPU nanoseconds used by this JVM so far; -1 where the JVM cannot tell. */
  public static long nanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }
}
