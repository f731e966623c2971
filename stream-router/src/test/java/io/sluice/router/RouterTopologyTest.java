package io.sluice.router;

import static io.sluice.router.Fixtures.batching;
import static io.sluice.router.Fixtures.request;
import static io.sluice.router.Fixtures.route;
import static io.sluice.router.Fixtures.variant;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.sluice.avro.BatchingSettings;
import io.sluice.avro.DeadLetter;
import io.sluice.avro.FlushReason;
import io.sluice.avro.InferenceBatch;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.Priority;
import io.sluice.avro.RouteConfig;
import io.sluice.avro.Shadow;
import io.sluice.schemas.ErrorCodes;
import io.sluice.schemas.Replies;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouterTopologyTest {
  @TempDir Path stateDir;

  private static List<String> ids(InferenceBatch b) {
    return b.getRequests().stream().map(InferenceRequest::getRequestId).toList();
  }

  @Test
  void flushesAtMaxBatchSizeAndAfterMaxWaitOfTheFirstRequest() {
    try (RouterHarness h = new RouterHarness(stateDir)) {
      h.setRoute(
          route(
              "chat",
              List.of(variant("a", "chat-a", 1)),
              List.of(),
              Map.of("chat-a", batching(3, 50, null))));
      TestInputTopic<String, InferenceRequest> in = h.requestTopic("chat");
      TestOutputTopic<String, InferenceBatch> out = h.batchTopic("chat-a");
      for (int i = 0; i < 7; i++) {
        in.pipeInput("user-" + i, request("chat", "r" + i));
      }
      List<InferenceBatch> sized = out.readValuesToList();
      assertThat(sized).hasSize(2).allMatch(b -> b.getFlushReason() == FlushReason.SIZE);
      assertThat(ids(sized.get(0))).containsExactly("r0", "r1", "r2");
      assertThat(sized.get(0).getRequests())
          .allMatch(r -> "a".equals(r.getVariant()) && "chat-a".equals(r.getDeployment()));

      // r6 arrived at T0; r7 20 ms later must not extend the wait of the batch.
      h.advance(20);
      in.pipeInput("user-7", request("chat", "r7"));
      h.advance(29);
      assertThat(out.isEmpty()).isTrue();
      h.advance(1);
      InferenceBatch waited = out.readValue();
      assertThat(waited.getFlushReason()).isEqualTo(FlushReason.WAIT);
      assertThat(ids(waited)).containsExactly("r6", "r7");
      assertThat(waited.getFlushedAtMs().toEpochMilli() - waited.getFirstArrivalMs().toEpochMilli())
          .isEqualTo(50);
      assertThat(h.count("sluice.router.requests", "app", "chat", "variant", "a")).isEqualTo(8);
      assertThat(h.registry.find("sluice.router.batch.size").summary().count()).isEqualTo(3);
    }
  }

  @Test
  void maxWaitZeroSendsEveryRequestAtOnce() {
    try (RouterHarness h = new RouterHarness(stateDir)) {
      h.setRoute(
          route(
              "chat",
              List.of(variant("a", "chat-a", 1)),
              List.of(),
              Map.of("chat-a", batching(8, 0, null))));
      h.requestTopic("chat").pipeInput("k", request("chat", "r1"));
      InferenceBatch b = h.batchTopic("chat-a").readValue();
      assertThat(b.getFlushReason()).isEqualTo(FlushReason.IMMEDIATE);
      assertThat(ids(b)).containsExactly("r1");
    }
  }

  @Test
  void tokenBudgetIsNeverExceeded() {
    try (RouterHarness h = new RouterHarness(stateDir)) {
      // Each fixture request estimates to 8 (prompt) + 4 (framing) + 16 (maxTokens) = 28 tokens.
      h.setRoute(
          route(
              "chat",
              List.of(variant("a", "chat-a", 1)),
              List.of(),
              Map.of("chat-a", batching(100, 1000, 60))));
      TestInputTopic<String, InferenceRequest> in = h.requestTopic("chat");
      for (int i = 0; i < 5; i++) {
        in.pipeInput("k" + i, request("chat", "r" + i));
      }
      h.advance(1000);
      List<InferenceBatch> batches = h.batchTopic("chat-a").readValuesToList();
      assertThat(batches).extracting(b -> b.getRequests().size()).containsExactly(2, 2, 1);
      assertThat(batches).allMatch(b -> b.getEstimatedTokens() <= 60);
      assertThat(batches.get(0).getFlushReason()).isEqualTo(FlushReason.TOKENS);
    }
  }

  @Test
  void bulkIsBatchedApartAndNeverDelaysInteractive() {
    try (RouterHarness h = new RouterHarness(stateDir)) {
      h.setRoute(
          route(
              "chat",
              List.of(variant("a", "chat-a", 1)),
              List.of(),
              Map.of("chat-a", batching(2, 100, null))));
      TestInputTopic<String, InferenceRequest> in = h.requestTopic("chat");
      in.pipeInput("k1", request("chat", "bulk-1", Priority.BULK));
      in.pipeInput("k2", request("chat", "int-1", Priority.INTERACTIVE));
      in.pipeInput("k3", request("chat", "bulk-2", Priority.BULK));
      in.pipeInput("k4", request("chat", "bulk-3", Priority.BULK));
      in.pipeInput("k5", request("chat", "int-2", Priority.INTERACTIVE));
      List<TestRecord<String, InferenceBatch>> records = h.batchTopic("chat-a").readRecordsToList();
      List<InferenceBatch> batches = records.stream().map(TestRecord::value).toList();
      assertThat(batches).hasSize(2);
      // Workers read a batch's class and size from headers, without decoding it.
      assertThat(records)
          .extracting(
              r -> SluiceHeaders.get(r.headers(), SluiceHeaders.PRIORITY),
              r -> SluiceHeaders.get(r.headers(), SluiceHeaders.BATCH_SIZE))
          .containsExactly(tuple("BULK", "2"), tuple("INTERACTIVE", "2"));
      assertThat(batches.get(0).getPriority()).isEqualTo(Priority.BULK);
      assertThat(ids(batches.get(0))).containsExactly("bulk-1", "bulk-2");
      assertThat(batches.get(1).getPriority()).isEqualTo(Priority.INTERACTIVE);
      assertThat(ids(batches.get(1))).containsExactly("int-1", "int-2");
      h.advance(100);
      TestRecord<String, InferenceBatch> restRecord = h.batchTopic("chat-a").readRecord();
      assertThat(SluiceHeaders.get(restRecord.headers(), SluiceHeaders.BATCH_SIZE)).isEqualTo("1");
      InferenceBatch rest = restRecord.value();
      assertThat(rest.getPriority()).isEqualTo(Priority.BULK);
      assertThat(ids(rest)).containsExactly("bulk-3");
    }
  }

  @Test
  void aBulkBatchWaitsTheRoutesBulkMaxWaitMsNotItsMaxWaitMs() {
    try (RouterHarness h = new RouterHarness(stateDir)) {
      BatchingSettings b =
          BatchingSettings.newBuilder(batching(8, 5, null)).setBulkMaxWaitMs(300L).build();
      h.setRoute(route("chat", List.of(variant("a", "chat-a", 1)), List.of(), Map.of("chat-a", b)));
      TestInputTopic<String, InferenceRequest> in = h.requestTopic("chat");
      in.pipeInput("k1", request("chat", "bulk-1", Priority.BULK));
      in.pipeInput("k2", request("chat", "int-1", Priority.INTERACTIVE));
      h.advance(10);
      List<InferenceBatch> early = h.batchTopic("chat-a").readValuesToList();
      assertThat(early)
          .extracting(InferenceBatch::getPriority)
          .containsExactly(Priority.INTERACTIVE);
      in.pipeInput("k3", request("chat", "bulk-2", Priority.BULK));
      h.advance(285);
      assertThat(h.batchTopic("chat-a").isEmpty()).as("295 ms after bulk-1").isTrue();
      h.advance(15);
      InferenceBatch bulk = h.batchTopic("chat-a").readValue();
      assertThat(bulk.getPriority()).isEqualTo(Priority.BULK);
      assertThat(ids(bulk)).containsExactly("bulk-1", "bulk-2");
      assertThat(bulk.getFlushReason()).isEqualTo(FlushReason.WAIT);
    }
  }

  @Test
  void shadowCopiesGoToTheShadowDeploymentAndAnswerOnTheShadowTopic() {
    try (RouterHarness h = new RouterHarness(stateDir)) {
      RouteConfig r =
          route(
              "chat",
              List.of(variant("a", "chat-a", 1)),
              List.of(Shadow.newBuilder().setDeployment("chat-next").setPercent(100).build()),
              Map.of("chat-a", batching(1, 10, null), "chat-next", batching(1, 10, null)));
      h.setRoute(r);
      h.requestTopic("chat").pipeInput("k", request("chat", "r1"));
      InferenceRequest primary = h.batchTopic("chat-a").readValue().getRequests().get(0);
      InferenceRequest shadow = h.batchTopic("chat-next").readValue().getRequests().get(0);
      assertThat(primary.getShadow()).isFalse();
      assertThat(Replies.topicFor(primary)).isEqualTo("sluice.responses.chat");
      assertThat(shadow.getShadow()).isTrue();
      assertThat(shadow.getRequestId()).isEqualTo("r1");
      assertThat(shadow.getDeployment()).isEqualTo("chat-next");
      assertThat(Replies.topicFor(shadow)).isEqualTo(Topics.shadowResponses("chat"));
      assertThat(h.count("sluice.router.shadow.copies", "app", "chat", "deployment", "chat-next"))
          .isEqualTo(1);
    }
  }

  @Test
  void expiredRequestsGetDeadlineExceededBeforeRoutingAndAtFlush() {
    try (RouterHarness h = new RouterHarness(stateDir)) {
      h.setRoute(
          route(
              "chat",
              List.of(variant("a", "chat-a", 1)),
              List.of(),
              Map.of("chat-a", batching(8, 50, null))));
      TestInputTopic<String, InferenceRequest> in = h.requestTopic("chat");
      InferenceRequest late = request("chat", "late");
      late.setDeadlineMs(RouterHarness.T0.minusMillis(1));
      in.pipeInput("k1", late);
      InferenceRequest soon = request("chat", "soon");
      soon.setDeadlineMs(RouterHarness.T0.plusMillis(30));
      soon.setReplyTo("my.replies");
      soon.setReplyPartition(2);
      in.pipeInput("k2", soon);
      InferenceRequest fine = request("chat", "fine");
      in.pipeInput("k3", fine);
      h.advance(50);

      InferenceResponse r1 = h.replyTopic("sluice.responses.chat").readValue();
      assertThat(r1.getRequestId()).isEqualTo("late");
      assertThat(r1.getError().getCode()).isEqualTo(ErrorCodes.DEADLINE_EXCEEDED);
      TestRecord<String, InferenceResponse> r2 = h.replyTopic("my.replies").readRecord();
      assertThat(r2.getValue().getRequestId()).isEqualTo("soon");
      assertThat(r2.getValue().getError().getCode()).isEqualTo(ErrorCodes.DEADLINE_EXCEEDED);
      assertThat(SluiceHeaders.get(r2.getHeaders(), SluiceHeaders.ERROR_CODE))
          .isEqualTo(ErrorCodes.DEADLINE_EXCEEDED);
      assertThat(ids(h.batchTopic("chat-a").readValue())).containsExactly("fine");
      assertThat(h.count("sluice.router.expired", "app", "chat", "stage", "route")).isEqualTo(1);
      assertThat(h.count("sluice.router.expired", "app", "chat", "stage", "flush")).isEqualTo(1);
    }
  }

  @Test
  void unknownAppGetsAnErrorReplyAndADeadLetter() {
    try (RouterHarness h = new RouterHarness(stateDir)) {
      h.requestTopic("nobody").pipeInput("k", request("nobody", "r1"));
      InferenceResponse reply = h.replyTopic("sluice.responses.nobody").readValue();
      assertThat(reply.getError().getCode()).isEqualTo(ErrorCodes.UNKNOWN_APP);
      DeadLetter dl = h.dlq().readValue();
      assertThat(dl.getErrorCode()).isEqualTo(ErrorCodes.UNKNOWN_APP);
      assertThat(dl.getSourceTopic()).isEqualTo("sluice.requests.nobody");
      assertThat(dl.getRequestId()).isEqualTo("r1");
    }
  }

  @Test
  void corruptRecordsAreDeadLetteredWithProvenanceAndThePartitionMovesOn() {
    try (RouterHarness h = new RouterHarness(stateDir)) {
      h.setRoute(
          route(
              "chat",
              List.of(variant("a", "chat-a", 1)),
              List.of(),
              Map.of("chat-a", batching(1, 10, null))));
      TestInputTopic<byte[], byte[]> raw = h.rawRequestTopic("chat");
      RecordHeaders headers = new RecordHeaders();
      SluiceHeaders.put(headers, SluiceHeaders.REQUEST_ID, "bad-1");
      SluiceHeaders.put(headers, SluiceHeaders.REPLY_TO, "caller.replies");
      byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
      raw.pipeInput(new TestRecord<>("k".getBytes(StandardCharsets.UTF_8), garbage, headers));
      byte[] unknownId = {0, 0, 0, 0x27, 0x0F, 2, 4, 6};
      raw.pipeInput(new TestRecord<>(null, unknownId));
      h.requestTopic("chat").pipeInput("k", request("chat", "good"));

      List<TestRecord<String, DeadLetter>> dls = h.dlq().readRecordsToList();
      assertThat(dls).hasSize(2);
      DeadLetter first = dls.get(0).getValue();
      assertThat(first.getErrorCode()).isEqualTo(ErrorCodes.UNDECODABLE);
      assertThat(first.getReason()).startsWith("BAD_MAGIC_BYTE");
      assertThat(first.getReason()).doesNotContain("BAD_MAGIC_BYTE: BAD_MAGIC_BYTE");
      assertThat(first.getSourceTopic()).isEqualTo("sluice.requests.chat");
      assertThat(first.getSourceOffset()).isEqualTo(0);
      assertThat(first.getOriginalValue().array()).isEqualTo(garbage);
      assertThat(first.getExceptionClass()).endsWith("WireFormatException");
      assertThat(SluiceHeaders.get(dls.get(0).getHeaders(), SluiceHeaders.ERROR_TOPIC))
          .isEqualTo("sluice.requests.chat");
      assertThat(SluiceHeaders.get(dls.get(0).getHeaders(), SluiceHeaders.ERROR_OFFSET))
          .isEqualTo("0");
      assertThat(dls.get(1).getValue().getReason()).startsWith("UNKNOWN_SCHEMA_ID");
      assertThat(dls.get(1).getValue().getSourceOffset()).isEqualTo(1);

      InferenceResponse reply = h.replyTopic("caller.replies").readValue();
      assertThat(reply.getRequestId()).isEqualTo("bad-1");
      assertThat(reply.getError().getCode()).isEqualTo(ErrorCodes.UNDECODABLE);
      assertThat(ids(h.batchTopic("chat-a").readValue())).containsExactly("good");
      assertThat(h.count("sluice.router.dead.letters", "code", ErrorCodes.UNDECODABLE))
          .isEqualTo(2);
    }
  }

  @Test
  void routeChangesApplyWithoutRestartAndInvalidOnesKeepThePrevious() {
    try (RouterHarness h =
        new RouterHarness(stateDir, new io.sluice.router.batch.BatchLimits(1, 10, null))) {
      TestInputTopic<String, InferenceRequest> in = h.requestTopic("chat");
      h.setRoute(route("chat", List.of(variant("a", "dep-a", 1))));
      in.pipeInput("k", request("chat", "r1"));
      h.setRoute(route("chat", List.of()));
      RouteConfig negative = route("chat", List.of(variant("b", "dep-b", -1)));
      h.setRoute(negative);
      in.pipeInput("k", request("chat", "r2"));
      h.setRoute(route("chat", List.of(variant("b", "dep-b", 1))));
      in.pipeInput("k", request("chat", "r3"));

      assertThat(h.batchTopic("dep-a").readValuesToList())
          .extracting(b -> b.getRequests().get(0).getRequestId())
          .containsExactly("r1", "r2");
      assertThat(ids(h.batchTopic("dep-b").readValue())).containsExactly("r3");
      assertThat(h.count("sluice.router.routes.rejected", "app", "chat")).isEqualTo(2);
    }
  }

  @Test
  void sameKeyAlwaysLandsOnTheSameVariant() {
    try (RouterHarness h =
        new RouterHarness(stateDir, new io.sluice.router.batch.BatchLimits(1, 10, null))) {
      h.setRoute(route("chat", List.of(variant("a", "dep-a", 1), variant("b", "dep-b", 1))));
      TestInputTopic<String, InferenceRequest> in = h.requestTopic("chat");
      for (int i = 0; i < 200; i++) {
        in.pipeInput("user-" + (i % 20), request("chat", "r" + i));
      }
      Map<String, String> variantOfKey = new java.util.HashMap<>();
      for (String dep : List.of("dep-a", "dep-b")) {
        for (InferenceBatch b : h.batchTopic(dep).readValuesToList()) {
          InferenceRequest r = b.getRequests().get(0);
          String user = "user-" + (Integer.parseInt(r.getRequestId().substring(1)) % 20);
          String prev = variantOfKey.putIfAbsent(user, r.getVariant());
          assertThat(prev == null || prev.equals(r.getVariant())).as(user).isTrue();
        }
      }
      assertThat(variantOfKey).hasSize(20);
      assertThat(variantOfKey.values()).contains("a", "b");
    }
  }

  @Test
  void topologyNamesEveryStore() {
    try (RouterHarness h = new RouterHarness(stateDir)) {
      assertThat(h.driver.getAllStateStores().keySet()).contains("batch-buffer", "routes-store");
    }
  }
}
