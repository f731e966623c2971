package io.sluice.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.avro.DeadLetter;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.ResponseStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class RepliesAndDeadLettersTest {
  private static InferenceRequest.Builder request() {
    return InferenceRequest.newBuilder().setRequestId("r-1").setApp("chat");
  }

  @Test
  void repliesGoToReplyToOrTheAppDefaultAndShadowsNeverToTheCaller() {
    assertThat(Replies.topicFor(request().build())).isEqualTo("sluice.responses.chat");
    assertThat(Replies.topicFor(request().setReplyTo("mine").setReplyPartition(3).build()))
        .isEqualTo("mine");
    InferenceRequest shadow =
        request().setReplyTo("mine").setReplyPartition(3).setShadow(true).build();
    assertThat(Replies.topicFor(shadow)).isEqualTo("sluice.shadow.chat");
    assertThat(Replies.partitionFor(shadow)).isNull();
  }

  @Test
  void errorRepliesCarryTheStableCodeAndRoutingContext() {
    InferenceResponse r =
        Replies.error(
            request().setVariant("a").setDeployment("d-a").build(),
            ErrorCodes.DEADLINE_EXCEEDED,
            "too late",
            false,
            new IOException("x"));
    assertThat(r.getStatus()).isEqualTo(ResponseStatus.ERROR);
    assertThat(r.getError().getCode()).isEqualTo("deadline_exceeded");
    assertThat(r.getError().getExceptionClass()).isEqualTo("java.io.IOException");
    assertThat(r.getVariant()).isEqualTo("a");
    assertThat(r.getDeployment()).isEqualTo("d-a");
  }

  @Test
  void deadlineIsInclusive() {
    InferenceRequest r = request().setDeadlineMs(Instant.ofEpochMilli(1000)).build();
    assertThat(Replies.isExpired(r, 999)).isFalse();
    assertThat(Replies.isExpired(r, 1000)).isTrue();
    assertThat(Replies.isExpired(request().build(), Long.MAX_VALUE)).isFalse();
  }

  @Test
  void deadLettersCarryReasonCauseChainAndProvenance() {
    RecordHeaders headers = new RecordHeaders();
    headers.add("traceparent", "00-abc".getBytes(StandardCharsets.UTF_8));
    Exception error = new IllegalStateException("outer", new IOException("inner"));
    DeadLetter dl =
        DeadLetters.of(
            "router",
            ErrorCodes.UNDECODABLE,
            "bad magic byte",
            error,
            new DeadLetters.Provenance(
                "sluice.requests.chat", 2, 41L, 5L, null, new byte[] {9}, headers),
            null,
            "chat",
            null,
            1);
    assertThat(dl.getSourceTopic()).isEqualTo("sluice.requests.chat");
    assertThat(dl.getSourcePartition()).isEqualTo(2);
    assertThat(dl.getSourceOffset()).isEqualTo(41L);
    assertThat(dl.getCauseChain())
        .containsExactly("java.lang.IllegalStateException: outer", "java.io.IOException: inner");
    assertThat(dl.getOriginalValue().array()).containsExactly(9);
    assertThat(dl.getOriginalHeaders()).containsKey("traceparent");

    RecordHeaders out = new RecordHeaders();
    DeadLetters.putErrorHeaders(out, dl);
    assertThat(SluiceHeaders.get(out, SluiceHeaders.ERROR_CODE)).isEqualTo("undecodable");
    assertThat(SluiceHeaders.get(out, SluiceHeaders.ERROR_OFFSET)).isEqualTo("41");
    assertThat(SluiceHeaders.get(out, SluiceHeaders.ERROR_CLASS))
        .isEqualTo("java.lang.IllegalStateException");
  }
}
