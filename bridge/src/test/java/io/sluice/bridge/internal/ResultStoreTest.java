package io.sluice.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.avro.CompletionOutput;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.ResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ResultStoreTest {
  private final AtomicLong now = new AtomicLong(1_000);

  private static InferenceResponse chunk(String id, int i, String text, boolean last) {
    return InferenceResponse.newBuilder()
        .setRequestId(id)
        .setApp("a")
        .setStatus(ResponseStatus.OK)
        .setOutput(CompletionOutput.newBuilder().setText(text).build())
        .setChunkIndex(i)
        .setFinalChunk(last)
        .build();
  }

  @Test
  void claimIsOncePerIdAndMarkersMakeAnIdPending() {
    ResultStore s = new ResultStore(10, 60_000, now::get);
    assertThat(s.claim("x", "a")).isTrue();
    assertThat(s.claim("x", "a")).isFalse();
    s.release("x");
    assertThat(s.claim("x", "a")).isTrue();

    s.accept(
        InferenceResponse.newBuilder()
            .setRequestId("y")
            .setApp("a")
            .setStatus(ResponseStatus.UNKNOWN)
            .build());
    assertThat(s.get("y").done()).isFalse();
    assertThat(s.claim("y", "a")).isFalse();
  }

  @Test
  void theFinalChunkIsTheResultAndWaitersAreWokenOnce() {
    ResultStore s = new ResultStore(10, 60_000, now::get);
    List<InferenceResponse> seen = new ArrayList<>();
    s.whenDone("z", seen::add);
    s.accept(chunk("z", 0, "he", false));
    assertThat(seen).isEmpty();
    s.accept(chunk("z", 1, "llo", false));
    s.accept(chunk("z", 2, "hello", true)); // the final chunk carries the whole output
    s.accept(chunk("z", 2, "hello", true)); // redelivered duplicate
    assertThat(seen).hasSize(1);
    assertThat(ReplyText.text(seen.get(0))).isEqualTo("hello");
    assertThat(ReplyText.text(s.get("z").result())).isEqualTo("hello");
  }

  @Test
  void entriesExpireAndTheSizeIsBounded() {
    ResultStore s = new ResultStore(2, 1_000, now::get);
    s.accept(chunk("a", 0, "1", true));
    s.accept(chunk("b", 0, "2", true));
    s.accept(chunk("c", 0, "3", true));
    assertThat(s.get("a")).isNull();
    assertThat(s.size()).isEqualTo(2);
    now.addAndGet(1_001);
    assertThat(s.get("c")).isNull();
  }

  @Test
  void cancelledWaitersAreNotCalled() {
    ResultStore s = new ResultStore(10, 60_000, now::get);
    List<InferenceResponse> seen = new ArrayList<>();
    s.whenDone("w", seen::add).run();
    s.accept(chunk("w", 0, "x", true));
    assertThat(seen).isEmpty();
  }

  @Test
  void aPendingIdWithoutAResultPastTheLongestDeadlineIsFreeAgain() {
    ResultStore s = new ResultStore(10, 3_600_000, 60_000, now::get);
    s.accept(
        InferenceResponse.newBuilder()
            .setRequestId("lost")
            .setApp("a")
            .setStatus(ResponseStatus.UNKNOWN)
            .build());
    assertThat(s.claim("lost", "a")).isFalse();
    s.accept(chunk("done", 0, "ok", true));
    now.addAndGet(60_001);
    assertThat(s.get("lost")).isNull();
    assertThat(s.claim("lost", "a")).isTrue();
    assertThat(s.get("done").done()).isTrue(); // results keep the full retention
  }

  @Test
  void aTombstoneForgetsAPendingIdButNotAResult() {
    ResultStore s = new ResultStore(10, 60_000, now::get);
    assertThat(s.claim("p", "a")).isTrue();
    s.forget("p");
    assertThat(s.get("p")).isNull();
    s.accept(chunk("r", 0, "ok", true));
    s.forget("r");
    assertThat(s.get("r").done()).isTrue();
  }
}
