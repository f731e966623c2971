package io.sluice.bridge.internal;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The bridge's in-flight slots ({@code sluice.bridge.max-in-flight}): one per call waiting for a
 * reply. A slot is only handed out through {@link #admit}, which returns it if the code starting
 * the wait throws, and a {@link Slot} gives its place back at most once however many paths end the
 * wait, so no bad input and no race can leak capacity.
 */
final class Admission {
  private final int max;
  private final AtomicInteger inFlight = new AtomicInteger();

  Admission(int max, MeterRegistry metrics) {
    this.max = max;
    metrics.gauge("sluice.bridge.in.flight", inFlight);
  }

  /** One taken place; {@link #release()} is idempotent. */
  final class Slot {
    private final AtomicBoolean released = new AtomicBoolean();

    void release() {
      if (released.compareAndSet(false, true)) {
        inFlight.decrementAndGet();
      }
    }
  }

  /**
   * Takes a slot (429 {@code rate_limited} when none is free) and runs {@code start} with it. From
   * then on whatever {@code start} hands the slot to must release it when the wait ends; if {@code
   * start} throws, the slot is released here before the exception goes on.
   */
  void admit(Consumer<Slot> start) {
    if (inFlight.incrementAndGet() > max) {
      inFlight.decrementAndGet();
      throw ApiError.overloaded(1);
    }
    Slot slot = new Slot();
    try {
      start.accept(slot);
    } catch (RuntimeException | Error e) {
      slot.release();
      throw e;
    }
  }

  int inFlight() {
    return inFlight.get();
  }
}
