package io.sluice.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** A replica fetches only the reply partition its requests name, through every rebalance. */
class ReplyPartitionReadsTest {
  private static final String TOPIC = "sluice.bridge.replies";

  private final MockConsumer<String, byte[]> consumer =
      new MockConsumer<>(AutoOffsetResetStrategy.LATEST.name());
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private final ReplyListener listener =
      new ReplyListener(
          consumer, TOPIC, -1, 1, new PendingReplies(), (topic, data) -> null, metrics);

  private static List<TopicPartition> partitions(int... ps) {
    return IntStream.of(ps).mapToObj(p -> new TopicPartition(TOPIC, p)).toList();
  }

  private Set<Integer> read() {
    return consumer.assignment().stream()
        .filter(tp -> !consumer.paused().contains(tp))
        .map(TopicPartition::partition)
        .collect(Collectors.toSet());
  }

  private double readGauge() {
    return metrics.get("sluice.bridge.replies.partitions.read").gauge().value();
  }

  private void rebalance(int... ps) {
    List<TopicPartition> tps = partitions(ps);
    consumer.updateEndOffsets(tps.stream().collect(Collectors.toMap(tp -> tp, tp -> 0L)));
    consumer.rebalance(tps);
  }

  @Test
  void onlyTheNamedPartitionIsFetchedAndTheNextOneIsResumedWhenItMoves() {
    listener.onStart(); // subscribes with the rebalance listener
    rebalance(0, 1, 2, 3);
    assertThat(listener.pickPartition()).isEqualTo(0);
    assertThat(read()).containsExactly(0);
    assertThat(readGauge()).isEqualTo(1.0);

    // The named partition goes to another replica: the replica names, and reads, another.
    rebalance(1, 2, 3);
    assertThat(listener.pickPartition()).isEqualTo(1);
    assertThat(read()).containsExactly(1);

    // A partition added back, even a lower one, is owned but not read: no request names it.
    rebalance(0, 1, 2, 3);
    assertThat(listener.pickPartition()).isEqualTo(1);
    assertThat(read()).containsExactly(1);
    assertThat(readGauge()).isEqualTo(1.0);

    // Owning nothing: nothing named, nothing read.
    rebalance();
    assertThat(listener.pickPartition()).isEqualTo(-1);
    assertThat(readGauge()).isEqualTo(0.0);
  }
}
