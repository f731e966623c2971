package io.sluice.functions.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.avro.DeadLetter;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.ResponseStatus;
import io.sluice.functions.ItemResult;
import io.sluice.functions.SluiceFunction;
import io.sluice.functions.worker.Backoff;
import io.sluice.schemas.ErrorCodes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BatchProcessorTest {
  private static final Backoff QUICK = new Backoff(3, Duration.ofMillis(1), Duration.ofMillis(2));
  private final ProcessorFixture fx = new ProcessorFixture();

  @Test
  void anOutputTooLargeForOneRecordBecomesAnOutputTooLargeErrorReplyAndADeadLetter()
      throws Exception {
    String big = "x".repeat(100_000);
    SluiceFunction fn =
        batch ->
            batch.map(
                r ->
                    r.getRequestId().equals("big")
                        ? ItemResult.json("\"" + big + "\"")
                        : ItemResult.json("\"small\""));
    BatchProcessor p = fx.processor(fn, QUICK, ReplyTargets.anything(), 64 * 1024);

    List<BatchProcessor.Out> out =
        p.process(fx.record(List.of(fx.request("big", "a"), fx.request("ok", "b"))), c -> {});

    List<InferenceResponse> replies = fx.replies(out);
    assertThat(replies).extracting(InferenceResponse::getRequestId).containsExactly("big", "ok");
    InferenceResponse tooBig = replies.get(0);
    assertThat(tooBig.getStatus()).isEqualTo(ResponseStatus.ERROR);
    assertThat(tooBig.getError().getCode()).isEqualTo(ErrorCodes.OUTPUT_TOO_LARGE);
    assertThat(replies.get(1).getStatus()).isEqualTo(ResponseStatus.OK);
    assertThat(out)
        .allSatisfy(
            o -> assertThat(BatchProcessor.estimatedSize(o.record())).isLessThan(64 * 1024));
    List<DeadLetter> dead = fx.deadLetters(out);
    assertThat(dead).extracting(DeadLetter::getRequestId).containsExactly("big");
    assertThat(dead.get(0).getErrorCode()).isEqualTo(ErrorCodes.OUTPUT_TOO_LARGE);
    assertThat(dead.get(0).getReason()).contains("65536");
  }

  @Test
  void repliesToDestinationsThatDoNotExistAreDeadLetteredAlone() throws Exception {
    ReplyTargets targets =
        (topic, partition) ->
            topic.endsWith("missing")
                ? ReplyTargets.Verdict.NO_SUCH_TOPIC
                : partition != null && (partition < 0 || partition >= 3)
                    ? ReplyTargets.Verdict.NO_SUCH_PARTITION
                    : ReplyTargets.Verdict.OK;
    BatchProcessor p =
        fx.processor(batch -> batch.map(r -> ItemResult.json("1")), QUICK, targets, 1 << 20);
    InferenceRequest negative = fx.request("negative", "a");
    negative.setReplyPartition(-5);
    InferenceRequest beyond = fx.request("beyond", "a");
    beyond.setReplyPartition(99);
    InferenceRequest nowhere = fx.request("nowhere", "a");
    nowhere.setReplyTo("sluice.responses.missing");

    List<BatchProcessor.Out> out =
        p.process(fx.record(List.of(negative, fx.request("good", "a"), beyond, nowhere)), c -> {});

    assertThat(fx.replies(out)).extracting(InferenceResponse::getRequestId).containsExactly("good");
    List<DeadLetter> dead = fx.deadLetters(out);
    assertThat(dead)
        .extracting(DeadLetter::getRequestId)
        .containsExactly("negative", "beyond", "nowhere");
    assertThat(dead)
        .allSatisfy(d -> assertThat(d.getErrorCode()).isEqualTo(ErrorCodes.UNDELIVERABLE));
    assertThat(dead.get(0).getReason()).contains("partition -5");
    assertThat(dead.get(2).getReason()).contains("does not exist");
    assertThat(dead.get(0).getSourceOffset()).isEqualTo(7L);
  }

  @Test
  void aBatchThatKeepsFailingOutsideTheFunctionIsRetriedThenDeadLetteredWhole() throws Exception {
    AtomicInteger checks = new AtomicInteger();
    ReplyTargets broken =
        (topic, partition) -> {
          checks.incrementAndGet();
          throw new IllegalStateException("metadata cache bug");
        };
    AtomicInteger calls = new AtomicInteger();
    SluiceFunction fn =
        batch -> {
          calls.incrementAndGet();
          return batch.map(r -> ItemResult.json("1"));
        };
    BatchProcessor p = fx.processor(fn, QUICK, broken, 1 << 20);

    List<BatchProcessor.Out> out = p.process(fx.record(List.of(fx.request("a", "x"))), c -> {});

    assertThat(calls).hasValue(3); // bounded: max-attempts, not for ever
    assertThat(fx.replies(out)).isEmpty();
    List<DeadLetter> dead = fx.deadLetters(out);
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).getErrorCode()).isEqualTo(ErrorCodes.INTERNAL);
    assertThat(dead.get(0).getAttempts()).isEqualTo(3);
    assertThat(dead.get(0).getExceptionMessage()).isEqualTo("metadata cache bug");
  }

  @Test
  void anItemPastItsDeadlineIsNotAppliedAndAnswersDeadlineExceeded() throws Exception {
    List<String> applied = new java.util.concurrent.CopyOnWriteArrayList<>();
    SluiceFunction fn =
        batch ->
            batch.map(
                r -> {
                  applied.add(r.getRequestId());
                  return ItemResult.json("\"ok\"");
                });
    BatchProcessor p = fx.processor(fn, QUICK, ReplyTargets.anything(), 1024 * 1024);
    InferenceRequest late = fx.request("late", "a");
    late.setDeadlineMs(java.time.Instant.now().minusSeconds(1));

    List<BatchProcessor.Out> out =
        p.process(fx.record(List.of(late, fx.request("fresh", "b"))), c -> {});

    assertThat(applied).containsExactly("fresh");
    List<InferenceResponse> replies = fx.replies(out);
    assertThat(replies).extracting(InferenceResponse::getRequestId).contains("late", "fresh");
    InferenceResponse lateReply =
        replies.stream().filter(r -> r.getRequestId().equals("late")).findFirst().orElseThrow();
    assertThat(lateReply.getError().getCode()).isEqualTo(ErrorCodes.DEADLINE_EXCEEDED);
  }

  @Test
  void retriableFailuresAreRetriedUpToTheLimitPermanentOnesNotAndBothDeadLetterWithProvenance()
      throws Exception {
    AtomicInteger retriableCalls = new AtomicInteger();
    AtomicInteger permanentCalls = new AtomicInteger();
    SluiceFunction fn =
        batch ->
            batch.map(
                r -> {
                  if (r.getRequestId().equals("flaky")) {
                    retriableCalls.incrementAndGet();
                    return ItemResult.failure(
                        new io.sluice.functions.FunctionException(
                            ErrorCodes.BACKEND_UNAVAILABLE, "down", true, null));
                  }
                  permanentCalls.incrementAndGet();
                  return ItemResult.failure(
                      new io.sluice.functions.FunctionException(
                          ErrorCodes.INVALID_INPUT, "bad", false, null));
                });
    BatchProcessor p = fx.processor(fn, QUICK, ReplyTargets.anything(), 1024 * 1024);

    List<BatchProcessor.Out> out =
        p.process(fx.record(List.of(fx.request("flaky", "a"), fx.request("bad", "b"))), c -> {});

    assertThat(retriableCalls).hasValue(QUICK.maxAttempts());
    assertThat(permanentCalls).hasValue(1);
    assertThat(fx.replies(out))
        .extracting(r -> r.getError().getCode())
        .containsExactlyInAnyOrder(ErrorCodes.BACKEND_UNAVAILABLE, ErrorCodes.INVALID_INPUT);
    List<DeadLetter> dead = fx.deadLetters(out);
    assertThat(dead).extracting(DeadLetter::getRequestId).containsExactlyInAnyOrder("flaky", "bad");
    assertThat(dead)
        .allSatisfy(
            d -> {
              assertThat(d.getSourceTopic())
                  .isEqualTo(io.sluice.schemas.Topics.batches(fx.deployment));
              assertThat(d.getSourcePartition()).isEqualTo(0);
              assertThat(d.getSourceOffset()).isEqualTo(7L);
            });
  }
}
