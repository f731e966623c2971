package io.sluice.devstack;

import io.sluice.functions.worker.WorkerApp;

/**
 * A dev-stack replica running one {@link WorkerApp}: alive while the worker's loop thread runs, so
 * a worker whose loop died (one record it could not get past, say) is noticed and restarted by
 * {@link ScaledDeployment} instead of being counted as a replica.
 */
record WorkerReplica(WorkerApp worker) implements ScaledDeployment.Replica {
  @Override
  public boolean alive() {
    return !worker.terminated();
  }

  @Override
  public String failure() {
    Throwable f = worker.failure();
    return f == null ? null : f.toString();
  }

  @Override
  public void close() {
    worker.close();
  }
}
