package io.sluice.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.ResponseStatus;
import io.sluice.avro.StepReport;
import java.util.List;
import org.junit.jupiter.api.Test;

class SluiceDialectTest {
  @Test
  void aPipelinesAnswerShowsEachStepsOutcomeDeploymentAndTimings() {
    InferenceResponse r =
        InferenceResponse.newBuilder()
            .setRequestId("r1")
            .setApp("analyze")
            .setStatus(ResponseStatus.OK)
            .setOutput(JsonOutput.newBuilder().setJson("{\"sentiment\":1}").build())
            .setSteps(
                List.of(
                    StepReport.newBuilder()
                        .setName("preprocess")
                        .setDeployment("pre")
                        .setOutcome("ok")
                        .setSentAtMs(10L)
                        .setAnsweredAtMs(14L)
                        .build(),
                    StepReport.newBuilder()
                        .setName("summarize")
                        .setDeployment("llm")
                        .setOutcome("skipped")
                        .build()))
            .build();
    JsonNode body = SluiceDialect.body(r);
    assertThat(body.at("/output/sentiment").asInt()).isEqualTo(1);
    assertThat(body.at("/steps/0/name").asText()).isEqualTo("preprocess");
    assertThat(body.at("/steps/0/answeredAtMs").asLong()).isEqualTo(14L);
    assertThat(body.at("/steps/1/outcome").asText()).isEqualTo("skipped");
    assertThat(body.at("/steps/1/deployment").asText()).isEqualTo("llm");
    assertThat(body.at("/steps/1").has("sentAtMs")).isFalse();
  }

  @Test
  void aSingleDeploymentsAnswerHasNoSteps() {
    InferenceResponse r =
        InferenceResponse.newBuilder()
            .setRequestId("r2")
            .setApp("sentiment")
            .setStatus(ResponseStatus.OK)
            .build();
    assertThat(SluiceDialect.body(r).has("steps")).isFalse();
  }
}
