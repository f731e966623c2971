package io.sluice.router;

import static io.sluice.router.Fixtures.batching;
import static io.sluice.router.Fixtures.route;
import static io.sluice.router.Fixtures.variant;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.avro.DeadLetter;
import io.sluice.avro.FlushReason;
import io.sluice.avro.InferenceBatch;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonInput;
import io.sluice.common.config.ConnectionKeys;
import io.sluice.schemas.ErrorCodes;
import io.sluice.schemas.Topics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defect 2: no batch the router writes may exceed {@code sluice.kafka.max-message-bytes}. Two 600
 * KB requests in one window made a 1.2 MB batch the producer refused, for ever.
 */
class RouterLimitsTest {
  private static final int LIMIT = ConnectionKeys.DEFAULT_MAX_MESSAGE_BYTES;

  @TempDir Path stateDir;

  private static InferenceRequest big(String id, int chars) {
    InferenceRequest r = Fixtures.request("chat", id);
    r.setInput(JsonInput.newBuilder().setJson("x".repeat(chars)).build());
    return r;
  }

  /** What the producer checks against max.request.size. */
  private static int recordSize(TestRecord<String, byte[]> r) {
    return AbstractRecords.estimateSizeInBytesUpperBound(
        RecordBatch.CURRENT_MAGIC_VALUE,
        CompressionType.NONE,
        r.key().getBytes(java.nio.charset.StandardCharsets.UTF_8),
        r.value(),
        r.headers().toArray());
  }

  @Test
  void aRequestThatWouldOverflowTheBatchFlushesItFirst() {
    try (RouterHarness h = new RouterHarness(stateDir)) {
      h.setRoute(
          route(
              "chat",
              List.of(variant("a", "chat-a", 1)),
              List.of(),
              Map.of("chat-a", batching(8, 50, null))));
      var in = h.requestTopic("chat");
      in.pipeInput("k1", big("r1", 600_000));
      in.pipeInput("k2", big("r2", 600_000));
      h.advance(50);
      List<TestRecord<String, byte[]>> raw =
          h.driver
              .createOutputTopic(
                  Topics.batches("chat-a"), new StringDeserializer(), new ByteArrayDeserializer())
              .readRecordsToList();
      assertThat(raw).hasSize(2);
      assertThat(raw).allSatisfy(r -> assertThat(recordSize(r)).isLessThanOrEqualTo(LIMIT));
      List<InferenceBatch> batches =
          raw.stream()
              .map(r -> h.batches.deserializer().deserialize(Topics.batches("chat-a"), r.value()))
              .toList();
      assertThat(batches.get(0).getFlushReason()).isEqualTo(FlushReason.BYTES);
      assertThat(batches.get(0).getRequests())
          .extracting(r -> r.getRequestId())
          .containsExactly("r1");
      assertThat(batches.get(1).getRequests())
          .extracting(r -> r.getRequestId())
          .containsExactly("r2");
      assertThat(
              h.count(
                  "sluice.router.batches",
                  "deployment",
                  "chat-a",
                  "priority",
                  "INTERACTIVE",
                  "reason",
                  "BYTES"))
          .isEqualTo(1);
    }
  }

  @Test
  void aRequestTooBigToFitAloneGetsAnErrorReplyAndADeadLetterThatFits() {
    try (RouterHarness h = new RouterHarness(stateDir)) {
      h.setRoute(
          route(
              "chat",
              List.of(variant("a", "chat-a", 1)),
              List.of(),
              Map.of("chat-a", batching(8, 0, null))));
      var in = h.requestTopic("chat");
      in.pipeInput("k1", big("huge", LIMIT + 1000));
      in.pipeInput("k2", Fixtures.request("chat", "small"));

      InferenceResponse reply = h.replyTopic(Topics.responses("chat")).readValue();
      assertThat(reply.getRequestId()).isEqualTo("huge");
      assertThat(reply.getError().getCode()).isEqualTo(ErrorCodes.PAYLOAD_TOO_LARGE);
      List<TestRecord<String, byte[]>> dls =
          h.driver
              .createOutputTopic(
                  Topics.DLQ_ROUTER, new StringDeserializer(), new ByteArrayDeserializer())
              .readRecordsToList();
      assertThat(dls).hasSize(1);
      assertThat(recordSize(dls.get(0))).isLessThanOrEqualTo(LIMIT);
      DeadLetter dl =
          h.deadLetters.deserializer().deserialize(Topics.DLQ_ROUTER, dls.get(0).value());
      assertThat(dl.getErrorCode()).isEqualTo(ErrorCodes.PAYLOAD_TOO_LARGE);
      assertThat(dl.getRequestId()).isEqualTo("huge");
      assertThat(dl.getReason()).contains("original value truncated from");
      assertThat(dl.getSourceTopic()).isEqualTo(Topics.requests("chat"));
      // The partition moves on: the next request is batched.
      assertThat(h.batchTopic("chat-a").readValue().getRequests())
          .extracting(r -> r.getRequestId())
          .containsExactly("small");
    }
  }
}
