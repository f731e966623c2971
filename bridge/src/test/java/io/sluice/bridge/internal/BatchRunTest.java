package io.sluice.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.avro.ErrorInfo;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.ResponseStatus;
import io.sluice.bridge.batch.BatchEndpoint;
import io.sluice.bridge.batch.BatchLine;
import io.sluice.bridge.batch.BatchLines;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchRunTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final BatchEndpoint ECHO = BatchEndpoint.parse("/v1/apps/echo/infer");

  private static BatchRun run(int n) {
    List<BatchLine> lines = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      lines.add(
          BatchLines.parse(
              "{\"custom_id\":\"c"
                  + i
                  + "\",\"method\":\"POST\",\"url\":\"/v1/apps/echo/infer\",\"body\":{\"input\":"
                  + i
                  + "}}",
              i,
              ECHO));
    }
    return new BatchRun("batch_t", lines);
  }

  private static InferenceResponse ok(int line) {
    return InferenceResponse.newBuilder()
        .setRequestId(BatchLines.requestId("batch_t", line))
        .setApp("echo")
        .setStatus(ResponseStatus.OK)
        .setOutput(JsonOutput.newBuilder().setJson(Integer.toString(line)).build())
        .build();
  }

  private static InferenceResponse error(int line, String code) {
    return InferenceResponse.newBuilder(ok(line))
        .setStatus(ResponseStatus.ERROR)
        .setOutput(null)
        .setError(ErrorInfo.newBuilder().setCode(code).setMessage("no").build())
        .build();
  }

  @Test
  void duplicateAndOutOfOrderRepliesGiveExactlyOneLineEach() throws Exception {
    int n = 200;
    BatchRun run = run(n);
    assertThat(run.toSend(0, 1000, 60_000)).hasSize(n);
    List<Integer> replies = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      replies.add(i);
      replies.add(i); // redelivered
      if (i % 3 == 0) {
        replies.add(i); // resent after a takeover, answered again
      }
    }
    Collections.shuffle(replies, new Random(7));
    int duplicates = 0;
    for (int l : replies) {
      if (run.onReply(l, ok(l)) == BatchRun.Outcome.DUPLICATE) {
        duplicates++;
      }
    }
    assertThat(duplicates).isEqualTo(replies.size() - n);
    assertThat(run.done()).isTrue();
    assertThat(run.completed()).isEqualTo(n);
    String[] out = run.output().split("\n");
    assertThat(out).hasSize(n);
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < n; i++) {
      JsonNode line = JSON.readTree(out[i]);
      ids.add(line.get("custom_id").asText());
      // In input order, whatever order the replies came in.
      assertThat(line.get("custom_id").asText()).isEqualTo("c" + (i + 1));
      assertThat(line.at("/response/body/output").asInt()).isEqualTo(i + 1);
    }
    assertThat(ids).hasSize(n);
    assertThat(run.errors(null, "")).isEmpty();
  }

  @Test
  void theWindowBoundsLinesInFlightAndUnansweredLinesAreResent() {
    BatchRun run = run(10);
    assertThat(run.toSend(0, 4, 1000)).containsExactly(1, 2, 3, 4);
    assertThat(run.toSend(10, 4, 1000)).isEmpty();
    run.onReply(2, ok(2));
    assertThat(run.toSend(20, 4, 1000)).containsExactly(5);
    // Line 1, 3, 4 sent at 0 and unanswered after the line timeout: sent again.
    assertThat(run.toSend(1000, 4, 1000)).containsExactly(1, 3, 4);
    run.sendFailed(5);
    assertThat(run.toSend(1001, 4, 1000)).containsExactly(5);
    assertThat(run.inFlight()).isEqualTo(4);
  }

  @Test
  void failedLinesGoToTheErrorFileAndALateDeadlineReplyDoesNotWin() throws Exception {
    BatchRun run = run(3);
    run.toSend(0, 10, 1000);
    assertThat(run.onReply(1, error(1, "deadline_exceeded"))).isEqualTo(BatchRun.Outcome.IGNORED);
    assertThat(run.onReply(1, ok(1))).isEqualTo(BatchRun.Outcome.COMPLETED);
    assertThat(run.onReply(2, error(2, "invalid_input"))).isEqualTo(BatchRun.Outcome.FAILED);
    assertThat(run.onReply(2, ok(2))).isEqualTo(BatchRun.Outcome.DUPLICATE);
    assertThat(run.onReply(99, ok(99))).isEqualTo(BatchRun.Outcome.UNKNOWN_LINE);
    assertThat(run.completed()).isEqualTo(1);
    assertThat(run.failed()).isEqualTo(1);
    assertThat(run.done()).isFalse();

    String[] errors = run.errors("batch_expired", "expired").split("\n");
    assertThat(errors).hasSize(2);
    assertThat(JSON.readTree(errors[0]).at("/response/status_code").asInt()).isEqualTo(422);
    JsonNode expired = JSON.readTree(errors[1]);
    assertThat(expired.get("custom_id").asText()).isEqualTo("c3");
    assertThat(expired.at("/error/code").asText()).isEqualTo("batch_expired");
    assertThat(run.errors(null, "").split("\n")).hasSize(1);
  }
}
