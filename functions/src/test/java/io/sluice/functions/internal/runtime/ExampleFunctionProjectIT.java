package io.sluice.functions.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonInput;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.ResponseStatus;
import io.sluice.functions.worker.FunctionRegistry;
import io.sluice.functions.worker.WorkerApp;
import io.sluice.functions.worker.WorkerConfig;
import io.sluice.schemas.ErrorCodes;
import io.sluice.testkit.KafkaCluster;
import io.sluice.testkit.SluiceKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promise, end to end: {@code examples/functions} (its own pom.xml, one provider)
 * builds with Maven as its README says, and a worker started with {@code --functions} (the key
 * {@code sluice.worker.function-path}) on the built jar serves it from Kafka.
 */
@SluiceKafka
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ExampleFunctionProjectIT {
  private final KafkaCluster kafka;

  ExampleFunctionProjectIT(KafkaCluster kafka) {
    this.kafka = kafka;
  }

  @Test
  void theExampleProjectBuildsWithMavenAndAWorkerServesItsJar(@TempDir Path work) throws Exception {
    assertThat(ExampleProjectBuild.exampleSluiceVersion())
        .as("examples/functions/pom.xml <sluice.version> must be this build's version")
        .isEqualTo(ExampleProjectBuild.sluiceVersion());

    ExampleProjectBuild.Result built = ExampleProjectBuild.build(work);
    System.out.printf(
        "examples/functions built by Maven in %d ms (%s)%n", built.millis(), built.log());
    assertThat(built.jar()).isRegularFile();
    assertThat(
            Files.readString(
                built
                    .project()
                    .resolve(
                        "target/surefire-reports/io.sluice.examples.wordcount.WordCountTest.txt")))
        .as("the example's own unit test ran")
        .contains("Tests run: 1, Failures: 0, Errors: 0");
    try (FunctionRegistry registry = FunctionRegistry.load(List.of(built.jar()))) {
      assertThat(registry.origin("word-count"))
          .isEqualTo("io.sluice.examples.wordcount.WordCountProvider from " + built.jar());
    }

    try (WorkerFixture fx = new WorkerFixture(kafka, 1)) {
      Map<String, String> c = fx.config();
      c.put(WorkerConfig.FUNCTION, "word-count");
      c.put(WorkerConfig.FUNCTION_PATH, built.jar().toString());
      c.put(WorkerConfig.FUNCTION_PREFIX + "top", "2");
      try (WorkerApp worker = WorkerApp.start(WorkerConfig.of(c))) {
        fx.send(
            "b1",
            List.of(
                fx.request("string", "the cat in the hat"),
                json(fx, "object", "{\"text\": \"To be, or not to be\"}"),
                json(fx, "misspelt", "{\"txt\": \"no text field\"}")));

        List<InferenceResponse> replies = fx.replies(r -> r.size() >= 3);
        assertThat(output(byId(replies, "string")))
            .isEqualTo(
                "{\"words\":5,\"unique\":4,\"top\":[{\"word\":\"the\",\"count\":2},"
                    + "{\"word\":\"cat\",\"count\":1}]}");
        assertThat(output(byId(replies, "object")))
            .isEqualTo(
                "{\"words\":6,\"unique\":4,\"top\":[{\"word\":\"to\",\"count\":2},"
                    + "{\"word\":\"be\",\"count\":2}]}");
        InferenceResponse bad = byId(replies, "misspelt");
        assertThat(bad.getStatus()).isEqualTo(ResponseStatus.ERROR);
        assertThat(bad.getError().getCode()).isEqualTo(ErrorCodes.INVALID_INPUT);
        assertThat(worker.failure()).isNull();
      }
    }
  }

  private static InferenceRequest json(WorkerFixture fx, String id, String json) {
    InferenceRequest r = fx.request(id, "");
    r.setInput(JsonInput.newBuilder().setJson(json).build());
    return r;
  }

  private static String output(InferenceResponse r) {
    assertThat(r.getStatus()).as(r.toString()).isEqualTo(ResponseStatus.OK);
    return ((JsonOutput) r.getOutput()).getJson();
  }

  private static InferenceResponse byId(List<InferenceResponse> replies, String id) {
    return replies.stream().filter(r -> r.getRequestId().equals(id)).findFirst().orElseThrow();
  }
}
