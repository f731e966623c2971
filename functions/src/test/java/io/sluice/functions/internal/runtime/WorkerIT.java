package io.sluice.functions.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.avro.DeadLetter;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.ResponseStatus;
import io.sluice.functions.worker.WorkerApp;
import io.sluice.functions.worker.WorkerConfig;
import io.sluice.schemas.ErrorCodes;
import io.sluice.testkit.KafkaCluster;
import io.sluice.testkit.SluiceKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@SluiceKafka
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WorkerIT {
  private final KafkaCluster kafka;

  WorkerIT(KafkaCluster kafka) {
    this.kafka = kafka;
  }

  @Test
  void aPoisonedItemGetsAnErrorReplyAndADeadLetterWhileTheOthersSucceed() throws Exception {
    try (WorkerFixture fx = new WorkerFixture(kafka, 1)) {
      RecordingFunction fn = new RecordingFunction();
      WorkerApp worker = WorkerApp.start(fx.workerConfig(Map.of()), fn, new SimpleMeterRegistry());
      try {
        List<InferenceRequest> batch = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          batch.add(fx.request("ok-" + i, i == 2 ? "flaky" : "fine"));
        }
        batch.add(fx.request("bad", "poison"));
        InferenceRequest late = fx.request("late", "fine");
        late.setDeadlineMs(Instant.now().minusSeconds(1));
        batch.add(late);
        fx.sendRaw("garbage", new byte[] {1, 2, 3});
        fx.send("b1", batch);

        List<InferenceResponse> replies = fx.replies(r -> r.size() >= 6);
        List<DeadLetter> dead = fx.deadLetters(d -> d.size() >= 2);

        assertThat(replies).hasSize(6);
        assertThat(replies.stream().filter(r -> r.getStatus() == ResponseStatus.OK))
            .extracting(InferenceResponse::getRequestId)
            .containsExactlyInAnyOrder("ok-0", "ok-1", "ok-2", "ok-3");
        assertThat(((JsonOutput) byId(replies, "ok-2").getOutput()).getJson()).contains("flaky");
        InferenceResponse bad = byId(replies, "bad");
        assertThat(bad.getStatus()).isEqualTo(ResponseStatus.ERROR);
        assertThat(bad.getError().getCode()).isEqualTo(ErrorCodes.INVALID_INPUT);
        assertThat(byId(replies, "late").getError().getCode())
            .isEqualTo(ErrorCodes.DEADLINE_EXCEEDED);
        assertThat(fn.seen).doesNotContain("late"); // never reached the function

        assertThat(dead).hasSize(2);
        DeadLetter undecodable = dead.get(0);
        assertThat(undecodable.getErrorCode()).isEqualTo(ErrorCodes.UNDECODABLE);
        assertThat(undecodable.getSourceTopic()).isEqualTo(fx.batches);
        assertThat(undecodable.getSourceOffset()).isZero();
        assertThat(undecodable.getOriginalValue().array()).containsExactly(1, 2, 3);
        DeadLetter item = dead.get(1);
        assertThat(item.getRequestId()).isEqualTo("bad");
        assertThat(item.getErrorCode()).isEqualTo(ErrorCodes.INVALID_INPUT);
        assertThat(item.getSourceOffset()).isEqualTo(1);
        assertThat(item.getStage()).isEqualTo("worker:" + fx.deployment);

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> fx.committed() == 2);
      } finally {
        worker.close();
      }
    }
  }

  @Test
  void aWorkerKilledMidBatchLosesNoRequestOnceAnotherTakesOver() throws Exception {
    try (WorkerFixture fx = new WorkerFixture(kafka, 2)) {
      RecordingFunction stuck = new RecordingFunction(new CountDownLatch(1)); // never opens
      WorkerApp first =
          WorkerApp.start(fx.workerConfig(Map.of()), stuck, new SimpleMeterRegistry());
      Set<String> ids = new java.util.HashSet<>();
      for (int b = 0; b < 4; b++) {
        List<InferenceRequest> reqs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          String id = "b" + b + "-" + i;
          ids.add(id);
          reqs.add(fx.request(id, "fine"));
        }
        fx.send("b" + b, reqs);
      }
      assertThat(stuck.entered.await(60, TimeUnit.SECONDS)).isTrue();
      first.halt(); // as SIGKILL: nothing drained, nothing committed
      assertThat(fx.committed()).isZero();

      RecordingFunction healthy = new RecordingFunction();
      WorkerApp second =
          WorkerApp.start(fx.workerConfig(Map.of()), healthy, new SimpleMeterRegistry());
      try {
        List<InferenceResponse> replies =
            fx.replies(
                r ->
                    r.stream()
                        .map(InferenceResponse::getRequestId)
                        .collect(Collectors.toSet())
                        .containsAll(ids));
        assertThat(replies).allMatch(r -> r.getStatus() == ResponseStatus.OK);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> fx.committed() == 4);
      } finally {
        second.close();
      }
    }
  }

  @Test
  void aGracefulCloseFinishesInFlightBatchesAndCommitsThem() throws Exception {
    try (WorkerFixture fx = new WorkerFixture(kafka, 1)) {
      CountDownLatch gate = new CountDownLatch(1);
      RecordingFunction fn = new RecordingFunction(gate);
      WorkerApp worker = WorkerApp.start(fx.workerConfig(Map.of()), fn, new SimpleMeterRegistry());
      fx.send("b1", List.of(fx.request("r1", "fine"), fx.request("r2", "fine")));
      assertThat(fn.entered.await(60, TimeUnit.SECONDS)).isTrue();

      CompletableFuture<Void> closing = CompletableFuture.runAsync(worker::close);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !worker.ready());
      assertThat(closing).isNotDone(); // waiting for the in-flight batch
      gate.countDown();
      closing.get(60, TimeUnit.SECONDS);

      assertThat(worker.terminated()).isTrue();
      assertThat(worker.failure()).isNull();
      assertThat(fx.replies(r -> r.size() >= 2))
          .extracting(InferenceResponse::getRequestId)
          .containsExactlyInAnyOrder("r1", "r2");
      assertThat(fx.committed()).isEqualTo(1);
    }
  }

  @Test
  void exactlyOnceModeWritesRepliesAndOffsetsInOneTransaction() throws Exception {
    try (WorkerFixture fx = new WorkerFixture(kafka, 1)) {
      RecordingFunction fn = new RecordingFunction();
      WorkerApp worker =
          WorkerApp.start(
              fx.workerConfig(Map.of(WorkerConfig.DELIVERY, WorkerConfig.EXACTLY_ONCE)),
              fn,
              new SimpleMeterRegistry());
      try {
        fx.send("b1", List.of(fx.request("t1", "fine"), fx.request("t2", "poison")));
        fx.send("b2", List.of(fx.request("t3", "fine")));

        List<InferenceResponse> replies = fx.replies(r -> r.size() >= 3);
        assertThat(replies)
            .extracting(InferenceResponse::getRequestId)
            .containsExactlyInAnyOrder("t1", "t2", "t3");
        assertThat(fx.deadLetters(d -> d.size() >= 1))
            .extracting(DeadLetter::getRequestId)
            .containsExactly("t2");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> fx.committed() == 2);
      } finally {
        worker.close();
      }
      assertThat(worker.failure()).isNull();
    }
  }

  @Test
  void repliesThatCannotBeDeliveredAreDeadLetteredAndTheWorkerGoesOn() throws Exception {
    try (WorkerFixture fx = new WorkerFixture(kafka, 1)) {
      RecordingFunction fn = new RecordingFunction();
      WorkerApp worker = WorkerApp.start(fx.workerConfig(Map.of()), fn, new SimpleMeterRegistry());
      try {
        InferenceRequest negative = fx.request("negative", "fine");
        negative.setReplyTo(fx.responses);
        negative.setReplyPartition(-5);
        InferenceRequest beyond = fx.request("beyond", "fine");
        beyond.setReplyTo(fx.responses);
        beyond.setReplyPartition(99);
        InferenceRequest nowhere = fx.request("nowhere", "fine");
        nowhere.setReplyTo(kafka.uniqueId("sluice.responses.missing"));
        // Passes every check here but the broker refuses it (the topic's own size limit).
        String tiny = kafka.uniqueId("sluice.responses.tiny");
        kafka.createTopic(
            new org.apache.kafka.clients.admin.NewTopic(tiny, 1, (short) 1)
                .configs(Map.of("max.message.bytes", "1024")));
        InferenceRequest refused = fx.request("refused", "x".repeat(4000));
        refused.setReplyTo(tiny);
        InferenceRequest pinned = fx.request("pinned", "fine");
        pinned.setReplyTo(fx.responses);
        pinned.setReplyPartition(0);
        long sent = System.nanoTime();
        fx.send(
            "bad-destinations",
            List.of(fx.request("good-1", "fine"), negative, beyond, nowhere, refused, pinned));

        List<InferenceResponse> replies = fx.replies(r -> r.size() >= 2);
        List<DeadLetter> dead = fx.deadLetters(d -> d.size() >= 4);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);

        assertThat(replies)
            .extracting(InferenceResponse::getRequestId)
            .containsExactlyInAnyOrder("good-1", "pinned");
        assertThat(dead)
            .extracting(DeadLetter::getRequestId)
            .containsExactlyInAnyOrder("negative", "beyond", "nowhere", "refused");
        assertThat(dead)
            .allSatisfy(d -> assertThat(d.getErrorCode()).isEqualTo(ErrorCodes.UNDELIVERABLE));
        assertThat(dead).allSatisfy(d -> assertThat(d.getSourceTopic()).isEqualTo(fx.batches));
        assertThat(dead).allSatisfy(d -> assertThat(d.getReason()).contains("reply"));
        assertThat(tookMs).as("no 60 s metadata stall").isLessThan(20_000);
        System.out.printf("bad reply destinations handled in %d ms%n", tookMs);

        // Still alive: the next batch is served and the offsets moved past both.
        fx.send("next", List.of(fx.request("good-2", "fine")));
        assertThat(fx.replies(r -> r.size() >= 3))
            .extracting(InferenceResponse::getRequestId)
            .contains("good-2");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> fx.committed() == 2);
        assertThat(worker.failure()).isNull();
        assertThat(worker.terminated()).isFalse();
        assertThat(worker.ready()).isTrue();
      } finally {
        worker.close();
      }
    }
  }

  private static InferenceResponse byId(List<InferenceResponse> replies, String id) {
    return replies.stream().filter(r -> r.getRequestId().equals(id)).findFirst().orElseThrow();
  }
}
