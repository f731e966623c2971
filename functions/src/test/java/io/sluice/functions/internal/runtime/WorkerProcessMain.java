package io.sluice.functions.internal.runtime;

import io.sluice.functions.worker.WorkerApp;
import io.sluice.functions.worker.WorkerConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * A worker in a JVM of its own, for tests that must SIGKILL one (a halt in process still closes
 * sockets politely). Arguments are {@code key=value} configuration; runs until killed.
 */
public final class WorkerProcessMain {
  private WorkerProcessMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> raw = new HashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      raw.put(a.substring(0, eq), a.substring(eq + 1));
    }
    WorkerApp worker = WorkerApp.start(WorkerConfig.of(raw));
    System.out.println("worker started: " + worker.instance());
    worker.awaitTermination();
  }
}
