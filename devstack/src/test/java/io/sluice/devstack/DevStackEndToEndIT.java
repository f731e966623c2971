package io.sluice.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonInput;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.ResponseStatus;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path a user takes, on the dev stack as {@code sluice dev} runs it: HTTP bridge →
 * sluice.requests.&lt;app&gt; → router (A/B split, micro-batching) → workers (sentiment on the CPU,
 * chat on the vLLM simulator) → reply topic → bridge.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DevStackEndToEndIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private DevStack stack;

  @BeforeAll
  void start(@TempDir Path dataDir) {
    stack = new DevStack(DevStackSettings.freePorts(DevStackIT.EXAMPLE, dataDir)).start();
  }

  @AfterAll
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  private HttpResponse<String> post(String path, String body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(stack.bridgeUrl() + path))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void sentimentRunsOnACpuWorkerScaledUpFromZero() throws Exception {
    HttpResponse<String> r =
        post(
            "/v1/apps/sentiment/infer",
            "{\"input\": {\"text\": \"I love how great and fast this is\"}}",
            Map.of());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("status").asText()).isEqualTo("OK");
    assertThat(body.path("deployment").asText()).isEqualTo("sentiment");
    assertThat(body.path("output").path("label").asText()).isEqualTo("positive");
    ScaledDeployment sentiment =
        stack.autoscaler().deployments().stream()
            .filter(d -> d.deployment().equals("sentiment"))
            .findFirst()
            .orElseThrow();
    assertThat(sentiment.changes()).extracting(ScaledDeployment.Change::to).contains(1);
  }

  @Test
  void chatIsSplitStickilyBetweenTheTwoVariantsWithNoCrossTalk() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      calls.add(chatAsync(i, "user-" + i));
    }
    Map<String, String> variantOfUser = new HashMap<>();
    for (int i = 0; i < calls.size(); i++) {
      JsonNode body = ok(calls.get(i).get(60, TimeUnit.SECONDS));
      // The simulator echoes the prompt: each caller gets its own answer.
      assertThat(body.path("output").path("message").path("content").asText())
          .startsWith("hello number " + i);
      variantOfUser.put("user-" + i, body.path("variant").asText());
    }
    assertThat(variantOfUser.values()).as("variants seen").contains("a", "b");
    // The same user again lands on the same variant.
    for (int i = 0; i < 5; i++) {
      JsonNode again = ok(chatAsync(100 + i, "user-" + i).get(60, TimeUnit.SECONDS));
      assertThat(again.path("variant").asText()).isEqualTo(variantOfUser.get("user-" + i));
    }
  }

  private CompletableFuture<HttpResponse<String>> chatAsync(int n, String user) {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(stack.bridgeUrl() + "/v1/apps/chat/infer"))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"messages\": [{\"role\": \"user\", \"content\": \"hello number "
                        + n
                        + "\"}], \"sampling\": {\"max_tokens\": 4}, \"attributes\": {\"user\": \""
                        + user
                        + "\"}}"))
            .build();
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode ok(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  @Test
  void openAiChatCompletionsAnswerInOpenAisShape() throws Exception {
    JsonNode body =
        ok(
            post(
                "/v1/chat/completions",
                "{\"model\": \"chat\", \"max_tokens\": 2,"
                    + " \"messages\": [{\"role\": \"user\", \"content\": \"ping pong\"}]}",
                Map.of("Authorization", "Bearer any-key-in-dev")));
    assertThat(body.path("object").asText()).isEqualTo("chat.completion");
    assertThat(body.path("choices").get(0).path("message").path("content").asText())
        .isEqualTo("ping pong");
    assertThat(body.path("usage").path("completion_tokens").asInt()).isEqualTo(2);
  }

  @Test
  void streamingChatEndsWithDone() throws Exception {
    HttpResponse<String> r =
        post(
            "/v1/chat/completions",
            "{\"model\": \"chat\", \"stream\": true, \"max_tokens\": 3,"
                + " \"messages\": [{\"role\": \"user\", \"content\": \"one two three\"}]}",
            Map.of());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    assertThat(r.body().strip()).endsWith("data: [DONE]");
    // The deltas add up to the answer exactly once (the worker's final chunk carries the whole
    // output; the bridge must send only what the deltas did not).
    StringBuilder text = new StringBuilder();
    for (String line : r.body().split("\n", -1)) {
      if (line.startsWith("data: {")) {
        JsonNode chunk = JSON.readTree(line.substring("data: ".length()));
        assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
        text.append(chunk.at("/choices/0/delta/content").asText());
      }
    }
    assertThat(text.toString()).isEqualTo("one two three");
  }

  @Test
  void asyncRequestsAreFetchedByLocation() throws Exception {
    HttpResponse<String> accepted =
        post(
            "/v1/apps/sentiment/infer",
            "{\"input\": {\"text\": \"terrible and awful\"}}",
            Map.of("Prefer", "respond-async"));
    assertThat(accepted.statusCode()).isEqualTo(202);
    String location = accepted.headers().firstValue("location").orElseThrow();
    HttpResponse<String> result =
        http.send(
            HttpRequest.newBuilder(URI.create(stack.bridgeUrl() + location))
                .header("Prefer", "wait=30")
                .timeout(Duration.ofSeconds(40))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(result.statusCode()).as(result.body()).isEqualTo(200);
    assertThat(JSON.readTree(result.body()).path("output").path("label").asText())
        .isEqualTo("negative");
  }

  @Test
  void unknownAppsAreA404() throws Exception {
    HttpResponse<String> r = post("/v1/apps/nope/infer", "{\"input\": 1}", Map.of());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(r.body()).path("error").path("code").asText()).isNotBlank();
  }

  private static final String LONG_TEXT =
      "The new release is fast and reliable. Our team loves how simple the setup was, and the"
          + " support people answered every question within minutes. We will roll it out to"
          + " every region next quarter because it has been great so far.";

  @Test
  void analyzeRunsThePipelineAndJoinsSentimentAndSummary() throws Exception {
    HttpResponse<String> r =
        post(
            "/v1/apps/analyze/infer",
            JSON.createObjectNode()
                .set("input", JSON.createObjectNode().put("text", LONG_TEXT))
                .toString(),
            Map.of());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("status").asText()).isEqualTo("OK");
    JsonNode out = body.path("output");
    assertThat(out.path("original_length").asInt()).isPositive();
    assertThat(out.path("sentiment").path("label").asText()).isEqualTo("positive");
    assertThat(out.path("summary").asText()).as("the LLM step ran").isNotBlank();
    assertThat(body.path("steps")).hasSize(3);
    for (JsonNode step : body.path("steps")) {
      assertThat(step.path("outcome").asText()).as(step.toString()).isEqualTo("ok");
      assertThat(step.path("answeredAtMs").asLong())
          .isGreaterThanOrEqualTo(step.path("sentAtMs").asLong());
    }
  }

  @Test
  void analyzeSkipsTheSummaryOfAShortText() throws Exception {
    HttpResponse<String> r =
        post("/v1/apps/analyze/infer", "{\"input\": {\"text\": \"I love it\"}}", Map.of());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("output").path("summary").isNull()).as(r.body()).isTrue();
    assertThat(body.path("output").path("sentiment").path("label").asText()).isEqualTo("positive");
    Map<String, String> outcomes = new java.util.HashMap<>();
    body.path("steps")
        .forEach(s -> outcomes.put(s.path("name").asText(), s.path("outcome").asText()));
    assertThat(outcomes)
        .containsEntry("preprocess", "ok")
        .containsEntry("sentiment", "ok")
        .containsEntry("summarize", "skipped");
  }

  @Test
  void aProducerOnTheAnalyzeTopicGetsTheSameAnswerOnTheReplyTopic() throws Exception {
    SerdeConfig serde = SerdeConfig.of(stack.registryUrl());
    String id = "analyze-kafka-" + System.nanoTime();
    InferenceRequest request =
        InferenceRequest.newBuilder()
            .setRequestId(id)
            .setApp("analyze")
            .setInput(
                JsonInput.newBuilder()
                    .setJson(JSON.createObjectNode().put("text", LONG_TEXT).toString())
                    .build())
            .setCreatedAtMs(java.time.Instant.now())
            .build();
    Map<String, Object> common = Map.of("bootstrap.servers", stack.bootstrapServers());
    Map<String, Object> consumerProps = new java.util.HashMap<>(common);
    consumerProps.put("group.id", "analyze-it-" + System.nanoTime());
    consumerProps.put("auto.offset.reset", "earliest");
    try (KafkaProducer<String, InferenceRequest> producer =
            new KafkaProducer<>(
                common,
                new StringSerializer(),
                AvroSerde.of(InferenceRequest.class, serde, false).serializer());
        KafkaConsumer<String, InferenceResponse> consumer =
            new KafkaConsumer<>(
                consumerProps,
                new StringDeserializer(),
                AvroSerde.of(InferenceResponse.class, serde, false).deserializer())) {
      producer.send(new ProducerRecord<>(Topics.requests("analyze"), id, request)).get();
      consumer.subscribe(java.util.List.of(Topics.responses("analyze")));
      InferenceResponse[] answer = new InferenceResponse[1];
      Awaitility.await("the pipeline's answer")
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                for (var rec : consumer.poll(Duration.ofMillis(200))) {
                  if (rec.key().equals(id) && rec.value().getFinalChunk()) {
                    answer[0] = rec.value();
                  }
                }
                return answer[0] != null;
              });
      assertThat(answer[0].getStatus()).isEqualTo(ResponseStatus.OK);
      JsonNode out = JSON.readTree(((JsonOutput) answer[0].getOutput()).getJson());
      assertThat(out.path("sentiment").path("label").asText()).isEqualTo("positive");
      assertThat(out.path("summary").asText()).isNotBlank();
      assertThat(answer[0].getSteps()).hasSize(3);
    }
  }

  @Test
  void aPipelinesStreamingStepSendsItsTokensBeforeThePipelinesAnswer() throws Exception {
    HttpResponse<String> r =
        post(
            "/v1/apps/headline/infer",
            "{\"input\": {\"text\": \"Kafka makes serving durable\"}, \"stream\": true}",
            Map.of());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    java.util.List<JsonNode> events = new java.util.ArrayList<>();
    for (String line : r.body().split("\n", -1)) {
      if (line.startsWith("data: {")) {
        events.add(JSON.readTree(line.substring("data: ".length())));
      }
    }
    assertThat(events.size()).as(r.body()).isGreaterThan(2);
    StringBuilder tokens = new StringBuilder();
    for (JsonNode e : events.subList(0, events.size() - 1)) {
      assertThat(e.has("steps")).as("a token chunk, not the answer").isFalse();
      tokens.append(e.at("/output/message/content").asText());
    }
    JsonNode answer = events.get(events.size() - 1);
    assertThat(answer.path("steps")).hasSize(2);
    assertThat(answer.at("/output/words").asInt()).isEqualTo(4);
    assertThat(answer.at("/output/headline").asText()).isEqualTo(tokens.toString());
  }
}
