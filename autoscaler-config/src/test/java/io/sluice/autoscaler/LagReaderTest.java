package io.sluice.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** How Admin answers become a snapshot (the Admin calls themselves need a broker). */
class LagReaderTest {

  private static final String TOPIC = "sluice.batches.chat";

  @Test
  void mapsCommittedAndEndOffsetsPerPartition() {
    TopicPartition p0 = new TopicPartition(TOPIC, 0);
    TopicPartition p1 = new TopicPartition(TOPIC, 1);
    TopicPartition p2 = new TopicPartition(TOPIC, 2);
    TopicPartition p3 = new TopicPartition(TOPIC, 3);
    Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    committed.put(p0, new OffsetAndMetadata(5));
    committed.put(p1, null); // Admin reports "no offset" as a null value
    committed.put(p3, new OffsetAndMetadata(9));
    Map<TopicPartition, ListOffsetsResultInfo> ends =
        Map.of(p0, end(10), p1, end(7), p2, end(3)); // p3 missing from the answer

    LagSnapshot s =
        LagReader.snapshot("sluice.fn.chat", TOPIC, List.of(p3, p2, p1, p0), committed, ends);

    assertThat(s.partitions())
        .containsExactly(
            PartitionOffsets.committed(0, 5, 10),
            PartitionOffsets.uncommitted(1, 7),
            PartitionOffsets.uncommitted(2, 3),
            PartitionOffsets.committed(3, 9, 9));
    assertThat(
            new LagAutoscaler(ScalingConfig.defaults())
                .decide(s, 1, java.time.Instant.EPOCH)
                .metric()
                .totalLag())
        .isEqualTo(5 + 1 + 1 + 0);
  }

  @Test
  void kafkasMinusOneMeansNoCommittedOffset() {
    assertThat(new PartitionOffsets(0, OptionalLong.of(-1), 4).committedOffset()).isEmpty();
  }

  private static ListOffsetsResultInfo end(long offset) {
    return new ListOffsetsResultInfo(offset, -1L, Optional.empty());
  }
}
