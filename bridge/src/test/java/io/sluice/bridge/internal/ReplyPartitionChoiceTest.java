package io.sluice.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ReplyPartitionChoiceTest {
  private static SortedSet<Integer> owned(Integer... ps) {
    return new TreeSet<>(java.util.List.of(ps));
  }

  @Test
  void theFirstAssignmentNamesItsLowestPartition() {
    assertThat(ReplyListener.choose(-1, owned(7, 3, 12))).isEqualTo(3);
  }

  @Test
  void aPartitionStillOwnedIsKeptWhenOthersAreAddedOrTaken() {
    // Gaining partitions, even lower ones, changes nothing for the calls in flight.
    assertThat(ReplyListener.choose(3, owned(0, 1, 3, 12))).isEqualTo(3);
    assertThat(ReplyListener.choose(3, owned(3))).isEqualTo(3);
  }

  @Test
  void aPartitionTakenAwayMovesTheChoiceToTheLowestLeft() {
    assertThat(ReplyListener.choose(3, owned(5, 9))).isEqualTo(5);
  }

  @Test
  void noPartitionOwnedNamesNone() {
    assertThat(ReplyListener.choose(3, owned())).isEqualTo(-1);
  }
}
