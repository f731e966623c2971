package io.sluice.functions.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a batch counts, and the room BULK work leaves for interactive requests. */
class ConcurrencyTest {

  @Test
  void countedInRequestsBulkLeavesOneFullBatchOfRoomUnlessThatLeavesNone() {
    Concurrency c = Concurrency.requests(64, 8);
    assertThat(c.limit()).isEqualTo(64);
    assertThat(c.bulkLimit()).isEqualTo(56);
    // maxOngoingRequests no larger than maxBatchSize (the manifest's default): BULK may take all.
    assertThat(Concurrency.requests(32, 32).bulkLimit()).isEqualTo(32);
    // maxBatchSize not known: one request of room.
    assertThat(Concurrency.requests(16, 0).bulkLimit()).isEqualTo(15);
  }

  @Test
  void countedInBatchesBulkLeavesOneSlotUnlessThereIsOnlyOne() {
    assertThat(Concurrency.batches(8).bulkLimit()).isEqualTo(7);
    assertThat(Concurrency.batches(1).bulkLimit()).isEqualTo(1);
  }

  @Test
  void aBatchStartsWhenItFitsOrWhenNothingRuns() {
    Concurrency c = Concurrency.requests(8, 4);
    assertThat(c.fits(4, 4)).isTrue();
    assertThat(c.fits(5, 4)).isFalse();
    assertThat(c.fits(20, 0)).as("larger than the limit, alone").isTrue();
    assertThat(c.bulkFits(2, 2)).isTrue();
    assertThat(c.bulkFits(3, 2)).isFalse();
  }

  @Test
  void threadsFollowTheLimitUpToACap() {
    assertThat(Concurrency.requests(16, 8).threads()).isEqualTo(16);
    assertThat(Concurrency.requests(100_000, 8).threads()).isEqualTo(Concurrency.MAX_THREADS);
  }
}
