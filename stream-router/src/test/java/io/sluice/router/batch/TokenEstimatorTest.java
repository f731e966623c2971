package io.sluice.router.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.avro.CompletionInput;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.SamplingParams;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenEstimatorTest {

  @Test
  void aPromptListCountsEveryPromptAndEveryPromptIsAnsweredNTimes() {
    // 8 characters = 2 tokens of prompt, 10 tokens allowed per answer
    assertThat(TokenEstimator.estimate(completion("abcdefgh", List.of(), null))).isEqualTo(12);
    // three prompts of 8 characters: 6 tokens of prompt, three answers of 10
    assertThat(
            TokenEstimator.estimate(
                completion("abcdefgh", List.of("abcdefgh", "abcdefgh", "abcdefgh"), null)))
        .isEqualTo(36);
    // n = 4 on one prompt: four answers
    assertThat(TokenEstimator.estimate(completion("abcdefgh", List.of(), 4))).isEqualTo(42);
    // both: 2 prompts x n 3 = six answers
    assertThat(TokenEstimator.estimate(completion("abcdefgh", List.of("abcdefgh", "abcdefgh"), 3)))
        .isEqualTo(64);
  }

  private static InferenceRequest completion(String prompt, List<String> prompts, Integer n) {
    SamplingParams sampling = SamplingParams.newBuilder().setMaxTokens(10).setN(n).build();
    return InferenceRequest.newBuilder()
        .setRequestId("r1")
        .setApp("chat")
        .setCreatedAtMs(Instant.ofEpochMilli(1_000))
        .setInput(
            CompletionInput.newBuilder()
                .setPrompt(prompt)
                .setPrompts(prompts)
                .setSampling(sampling)
                .build())
        .build();
  }
}
