package io.sluice.router;

import static io.sluice.router.Fixtures.batching;
import static io.sluice.router.Fixtures.request;
import static io.sluice.router.Fixtures.route;
import static io.sluice.router.Fixtures.variant;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.avro.DeadLetter;
import io.sluice.avro.InferenceBatch;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.router.batch.BatchLimits;
import io.sluice.schemas.ErrorCodes;
import io.sluice.schemas.Topics;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Consumer;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Defect 1 (router side) and "every field a client controls is validated where it enters": a
 * request whose reply destination is out of range, missing or one of Sluice's or Kafka's own topics
 * never reaches a worker; it is dead-lettered and answered on a destination that is valid.
 */
class RequestValidationTest {
  @TempDir Path stateDir;

  /** caller.replies and the app's reply topic have 3 partitions; nothing else exists. */
  private RouterHarness harness() {
    RouterHarness h =
        new RouterHarness(
            stateDir,
            new BatchLimits(1, 0, null),
            topic ->
                topic.equals("caller.replies") || topic.equals(Topics.responses("chat"))
                    ? OptionalInt.of(3)
                    : OptionalInt.empty());
    h.setRoute(
        route(
            "chat",
            List.of(variant("a", "chat-a", 1)),
            List.of(),
            Map.of("chat-a", batching(1, 0, null))));
    return h;
  }

  private void rejected(Consumer<InferenceRequest> mutation, String replyTopic, String reason) {
    try (RouterHarness h = harness()) {
      InferenceRequest r = request("chat", "r-1");
      mutation.accept(r);
      h.requestTopic("chat").pipeInput("k", r);
      h.requestTopic("chat").pipeInput("k", request("chat", "good"));
      List<InferenceBatch> batches = h.batchTopic("chat-a").readValuesToList();
      assertThat(batches).hasSize(1);
      assertThat(batches.get(0).getRequests())
          .extracting(InferenceRequest::getRequestId)
          .containsExactly("good");
      DeadLetter dl = h.dlq().readValue();
      assertThat(dl.getErrorCode()).isEqualTo(ErrorCodes.INVALID_INPUT);
      assertThat(dl.getReason()).contains(reason);
      if (replyTopic != null) {
        List<TestRecord<String, InferenceResponse>> replies =
            h.replyTopic(replyTopic).readRecordsToList();
        assertThat(replies).hasSize(1);
        assertThat(replies.get(0).getValue().getError().getCode())
            .isEqualTo(ErrorCodes.INVALID_INPUT);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {-5, 3, 99})
  void aReplyPartitionOutOfRangeIsRejectedAndAnsweredKeyed(int partition) {
    rejected(
        r -> {
          r.setReplyTo("caller.replies");
          r.setReplyPartition(partition);
        },
        "caller.replies",
        "replyPartition " + partition);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "sluice.batches.chat-a",
        "sluice.requests.chat",
        "sluice.routes",
        "sluice.dlq.router",
        "sluice.pipeline.x",
        "__consumer_offsets",
        "_schemas",
        "sluice-router-batch-buffer-changelog"
      })
  void aReplyToOfSluicesOrKafkasOwnTopicsIsRejectedAndAnsweredOnTheDefault(String topic) {
    rejected(r -> r.setReplyTo(topic), Topics.responses("chat"), "own topics");
  }

  @Test
  void theBridgesResultsTopicIsALegalReplyDestination() {
    // The bridge's async path (Prefer: respond-async) names it as replyTo; rejecting it left
    // every async call pending for ever.
    try (RouterHarness h =
        new RouterHarness(
            stateDir,
            new BatchLimits(1, 0, null),
            topic ->
                topic.equals("sluice.bridge.results") ? OptionalInt.of(3) : OptionalInt.empty())) {
      h.setRoute(
          route(
              "chat",
              List.of(variant("a", "chat-a", 1)),
              List.of(),
              Map.of("chat-a", batching(1, 0, null))));
      InferenceRequest r = request("chat", "async-1");
      r.setReplyTo("sluice.bridge.results");
      h.requestTopic("chat").pipeInput("k", r);
      assertThat(h.batchTopic("chat-a").readValuesToList())
          .flatExtracting(InferenceBatch::getRequests)
          .extracting(InferenceRequest::getRequestId)
          .containsExactly("async-1");
      assertThat(h.dlq().isEmpty()).isTrue();
    }
  }

  @Test
  void aReplyToThatDoesNotExistIsRejected() {
    rejected(r -> r.setReplyTo("no.such.topic"), Topics.responses("chat"), "does not exist");
  }

  @Test
  void badRequestIdsAndDeadlinesAreRejected() {
    rejected(r -> r.setRequestId("has space"), null, "requestId");
    rejected(r -> r.setRequestId("x".repeat(129)), null, "requestId");
    rejected(
        r -> r.setDeadlineMs(Instant.parse("2999-01-01T00:00:00Z")),
        Topics.responses("chat"),
        "days ahead");
  }

  @Test
  void aMalformedTraceparentIsDroppedAndClientSetRouterFieldsAreOverwritten() {
    try (RouterHarness h = harness()) {
      InferenceRequest r = request("chat", "r-2");
      r.setTraceparent("00-not-a-trace");
      r.setShadow(true);
      r.setDeployment("someone-elses");
      h.requestTopic("chat").pipeInput("k", r);
      InferenceRequest routed = h.batchTopic("chat-a").readValue().getRequests().get(0);
      assertThat(routed.getTraceparent()).isNull();
      assertThat(routed.getShadow()).isFalse();
      assertThat(routed.getDeployment()).isEqualTo("chat-a");

      InferenceRequest ok = request("chat", "r-3");
      String tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
      ok.setTraceparent(tp);
      h.requestTopic("chat").pipeInput("k", ok);
      assertThat(h.batchTopic("chat-a").readValue().getRequests().get(0).getTraceparent())
          .isEqualTo(tp);
    }
  }
}
