package io.sluice.bridge;

import static io.sluice.bridge.TestBridges.client;
import static io.sluice.bridge.TestBridges.get;
import static io.sluice.bridge.TestBridges.json;
import static io.sluice.bridge.TestBridges.post;
import static io.sluice.bridge.TestBridges.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.Priority;
import io.sluice.testkit.KafkaCluster;
import io.sluice.testkit.SluiceKafka;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The bridge end to end on a real broker, with a fake worker answering from the request topic. */
@SluiceKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BridgeIT {
  private final KafkaCluster kafka;
  private final String registry = "mock://bridge-it-" + UUID.randomUUID();
  private String app;
  private String chat;
  private String silent;
  private BridgeServer bridge;
  private EchoWorker worker;
  private final HttpClient http = client();

  BridgeIT(KafkaCluster kafka) {
    this.kafka = kafka;
  }

  @BeforeAll
  void start() throws Exception {
    app = kafka.uniqueId("sentiment");
    chat = kafka.uniqueId("chat");
    silent = kafka.uniqueId("silent");
    List<String> apps = List.of(app, chat, silent);
    TestBridges.publishRoutes(kafka, registry, apps);
    worker = new EchoWorker(kafka, registry, apps, Set.of(silent));
    bridge =
        TestBridges.startReady(
            TestBridges.config(kafka, registry, kafka.uniqueId("bridge-it")), apps);
  }

  @AfterAll
  void stop() {
    if (bridge != null) {
      bridge.close();
    }
    if (worker != null) {
      worker.close();
    }
  }

  @Test
  void syncInferReturnsTheWorkersReplyAndTheRequestCarriesItsDeadline() throws Exception {
    HttpResponse<String> r =
        send(
            http,
            post(bridge, "/v1/apps/" + app + "/infer", "{\"input\": {\"text\": \"great\"}}")
                .header("Sluice-Timeout-Ms", "20000"));

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = json(r);
    assertThat(body.at("/output/text").asText()).isEqualTo("great");
    assertThat(body.get("status").asText()).isEqualTo("OK");
    String id = body.get("requestId").asText();
    assertThat(r.headers().firstValue("Sluice-Request-Id")).contains(id);
    InferenceRequest seen = worker.received.get(id);
    assertThat(seen.getPriority()).isEqualTo(Priority.INTERACTIVE);
    assertThat(seen.getReplyPartition()).isNotNull();
    assertThat(seen.getDeadlineMs().toEpochMilli() - seen.getCreatedAtMs().toEpochMilli())
        .isEqualTo(20_000);
    // no user: no record key (the router's stickiness falls back to the request id), so the
    // producer fills one partition's batch at a time
    assertThat(worker.keys.get(id)).isEmpty();
    // the call is timed per app, so a dashboard shows each app's latency
    assertThat(get(http, bridge, "/metrics").body())
        .contains(
            "sluice_bridge_call_seconds_count{app=\""
                + app
                + "\",component=\"bridge\",route=\"infer\",status=\"200\"}");
  }

  @Test
  void asyncReturns202AndTheResultIsPolledWithLongPolling() throws Exception {
    HttpResponse<String> r =
        send(
            http,
            post(bridge, "/v1/apps/" + app + "/infer", "{\"input\": [1, 2, 3]}")
                .header("Prefer", "respond-async"));

    assertThat(r.statusCode()).isEqualTo(202);
    String location = r.headers().firstValue("Location").orElseThrow();
    assertThat(location).startsWith("/v1/requests/");

    HttpResponse<String> result = get(http, bridge, location, "Prefer", "wait=20");
    assertThat(result.statusCode()).isEqualTo(200);
    assertThat(json(result).get("output").toString()).isEqualTo("[1,2,3]");
    assertThat(get(http, bridge, "/v1/requests/nope").statusCode()).isEqualTo(404);
  }

  @Test
  void openAiChatCompletion() throws Exception {
    HttpResponse<String> r =
        send(
            http,
            post(
                bridge,
                "/v1/chat/completions",
                "{\"model\": \""
                    + chat
                    + "\", \"messages\": [{\"role\": \"user\", \"content\":"
                    + " \"hello\"}], \"max_tokens\": 8, \"user\": \"u-42\"}"));

    assertThat(r.statusCode()).isEqualTo(200);
    // OpenAI's user keys the record, so the router's sticky split keeps the user on one variant
    String id = r.headers().firstValue("Sluice-Request-Id").orElseThrow();
    assertThat(worker.keys.get(id)).isEqualTo("u-42");
    JsonNode body = json(r);
    assertThat(body.get("object").asText()).isEqualTo("chat.completion");
    assertThat(body.get("model").asText()).isEqualTo(chat);
    assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("echo: hello");
    assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(5);
  }

  @Test
  void openAiCallsRunAsyncAndTheStoredResultKeepsTheRoutesShapeAndProvenance() throws Exception {
    HttpResponse<String> r =
        send(
            http,
            post(
                    bridge,
                    "/v1/chat/completions",
                    "{\"model\": \""
                        + chat
                        + "\", \"messages\": [{\"role\": \"user\", \"content\": \"later\"}]}")
                .header("Prefer", "respond-async"));
    assertThat(r.statusCode()).isEqualTo(202);
    String location = r.headers().firstValue("Location").orElseThrow();
    assertThat(location).startsWith("/v1/requests/chatcmpl-");

    HttpResponse<String> result = get(http, bridge, location, "Prefer", "wait=20");
    assertThat(result.statusCode()).isEqualTo(200);
    JsonNode body = json(result);
    assertThat(body.get("object").asText()).isEqualTo("chat.completion");
    assertThat(body.get("id").asText()).isEqualTo(location.substring("/v1/requests/".length()));
    assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("echo: later");
    assertThat(result.headers().firstValue("Sluice-Deployment")).contains("echo");

    HttpResponse<String> sync =
        send(
            http,
            post(bridge, "/v1/completions", "{\"model\": \"" + chat + "\", \"prompt\": \"abc\"}"));
    assertThat(sync.headers().firstValue("Sluice-Deployment")).contains("echo");
  }

  @Test
  void openAiChatStreamsChunksEndingWithDone() throws Exception {
    HttpResponse<String> r =
        send(
            http,
            post(
                bridge,
                "/v1/chat/completions",
                "{\"model\": \""
                    + chat
                    + "\", \"stream\": true, \"messages\": [{\"role\":"
                    + " \"user\", \"content\": \"stream me\"}]}"));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("text/event-stream");
    List<String> events = events(r.body());
    // Three deltas, then the final chunk (only what the deltas did not carry, and the finish
    // reason, as OpenAI's last chunk), then [DONE].
    assertThat(events).hasSize(5).last().isEqualTo("[DONE]");
    StringBuilder text = new StringBuilder();
    for (String e : events.subList(0, 4)) {
      JsonNode c = TestBridges.JSON.readTree(e);
      assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
      text.append(c.at("/choices/0/delta/content").asText());
    }
    assertThat(text.toString()).isEqualTo("echo: stream me");
    assertThat(TestBridges.JSON.readTree(events.get(0)).at("/choices/0/delta/role").asText())
        .isEqualTo("assistant");
    assertThat(TestBridges.JSON.readTree(events.get(2)).at("/choices/0/finish_reason").isNull())
        .isTrue();
    assertThat(TestBridges.JSON.readTree(events.get(3)).at("/choices/0/finish_reason").asText())
        .isEqualTo("stop");
  }

  @Test
  void openAiCompletionsPlainAndStreamed() throws Exception {
    HttpResponse<String> plain =
        send(
            http,
            post(bridge, "/v1/completions", "{\"model\": \"" + chat + "\", \"prompt\": \"abc\"}"));
    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(json(plain).get("object").asText()).isEqualTo("text_completion");
    assertThat(json(plain).at("/choices/0/text").asText()).isEqualTo("echo: abc");

    HttpResponse<String> streamed =
        send(
            http,
            post(
                bridge,
                "/v1/completions",
                "{\"model\": \"" + chat + "\", \"prompt\": \"xyz\", \"stream\": true}"));
    List<String> events = events(streamed.body());
    assertThat(events).last().isEqualTo("[DONE]");
    StringBuilder text = new StringBuilder();
    for (String e : events.subList(0, events.size() - 1)) {
      text.append(TestBridges.JSON.readTree(e).at("/choices/0/text").asText());
    }
    assertThat(text.toString()).isEqualTo("echo: xyz");
  }

  @Test
  void theSameIdempotencyKeyRunsOnceAndReplaysTheStoredReply() throws Exception {
    String key = UUID.randomUUID().toString();
    String body = "{\"input\": {\"n\": 7}}";
    HttpResponse<String> first =
        send(http, post(bridge, "/v1/apps/" + app + "/infer", body).header("Idempotency-Key", key));
    HttpResponse<String> second =
        send(http, post(bridge, "/v1/apps/" + app + "/infer", body).header("Idempotency-Key", key));

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(second.statusCode()).isEqualTo(200);
    String id = json(first).get("requestId").asText();
    assertThat(json(second).get("requestId").asText()).isEqualTo(id);
    assertThat(second.headers().firstValue("Idempotent-Replayed")).contains("true");
    assertThat(json(second).get("output")).isEqualTo(json(first).get("output"));
    // The stored result is also fetchable as an async result, and the worker ran once.
    assertThat(get(http, bridge, "/v1/requests/" + id).statusCode()).isEqualTo(200);
    assertThat(worker.servedCount(id)).isEqualTo(1);
  }

  @Test
  void noReplyWithinTheClientTimeoutIs504WithTheRequestId() throws Exception {
    HttpResponse<String> r =
        send(
            http,
            post(bridge, "/v1/apps/" + silent + "/infer", "{\"input\": 1}")
                .header("Sluice-Timeout-Ms", "300"));

    assertThat(r.statusCode()).isEqualTo(504);
    JsonNode e = json(r).get("error");
    assertThat(e.get("code").asText()).isEqualTo("deadline_exceeded");
    String id = e.get("requestId").asText();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> worker.received.containsKey(id));
    InferenceRequest seen = worker.received.get(id);
    assertThat(seen.getDeadlineMs().toEpochMilli() - seen.getCreatedAtMs().toEpochMilli())
        .isEqualTo(300);
  }

  @Test
  void badInputGetsTheRightStatusAndShape() throws Exception {
    HttpResponse<String> unknown =
        send(http, post(bridge, "/v1/apps/" + kafka.uniqueId("nope") + "/infer", "{\"input\":1}"));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).at("/error/code").asText()).isEqualTo("unknown_app");

    HttpResponse<String> unknownModel =
        send(
            http,
            post(
                bridge,
                "/v1/chat/completions",
                "{\"model\": \"gpt-nope\", \"messages\": [{\"role\": \"user\", \"content\":"
                    + " \"x\"}]}"));
    assertThat(unknownModel.statusCode()).isEqualTo(404);
    JsonNode oe = json(unknownModel).get("error");
    assertThat(oe.get("type").asText()).isEqualTo("invalid_request_error");
    assertThat(oe.get("param").asText()).isEqualTo("model");
    assertThat(oe.get("code").asText()).isEqualTo("model_not_found");

    HttpResponse<String> malformed = send(http, post(bridge, "/v1/apps/" + app + "/infer", "{"));
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(json(malformed).at("/error/code").asText()).isEqualTo("invalid_json");

    HttpResponse<String> badField =
        send(
            http,
            post(
                bridge,
                "/v1/chat/completions",
                "{\"model\": \"" + chat + "\", \"messages\": [{\"role\": \"robot\"}]}"));
    assertThat(badField.statusCode()).isEqualTo(400);
    assertThat(json(badField).at("/error/param").asText()).isEqualTo("messages[0].role");

    char[] big = new char[bridge.config().maxBodyBytes() + 10];
    Arrays.fill(big, 'x');
    HttpResponse<String> tooBig =
        send(
            http,
            post(bridge, "/v1/apps/" + app + "/infer", "{\"input\": \"" + new String(big) + "\"}"));
    assertThat(tooBig.statusCode()).isEqualTo(413);
    assertThat(json(tooBig).at("/error/code").asText()).isEqualTo("payload_too_large");
  }

  @Test
  void modelsListsTheAppsAndHealthEndpointsAnswer() throws Exception {
    JsonNode models = json(get(http, bridge, "/v1/models"));
    assertThat(models.get("object").asText()).isEqualTo("list");
    assertThat(models.get("data").findValuesAsText("id")).contains(app, chat, silent);
    assertThat(get(http, bridge, "/healthz").statusCode()).isEqualTo(200);
    assertThat(get(http, bridge, "/readyz").statusCode()).isEqualTo(200);
    assertThat(get(http, bridge, "/metrics").body()).contains("sluice_bridge_in_flight");
  }

  @Test
  void apiKeysAreRequiredAndLimitedToTheirApps() throws Exception {
    java.util.Map<String, String> settings =
        TestBridges.settings(kafka, registry, kafka.uniqueId("auth"));
    settings.put(BridgeConfig.AUTH_ENABLED, "true");
    settings.put(BridgeConfig.API_KEYS, "k-sent=" + app + ",k-all=*");
    BridgeConfig authed = BridgeConfig.of(settings);
    try (BridgeServer b = TestBridges.startReadyWithAuth(authed)) {
      String infer = "/v1/apps/" + app + "/infer";
      assertThat(send(http, post(b, infer, "{\"input\": 1}")).statusCode()).isEqualTo(401);
      assertThat(
              send(http, post(b, infer, "{\"input\": 1}").header("Authorization", "Bearer nope"))
                  .statusCode())
          .isEqualTo(401);
      assertThat(
              send(http, post(b, infer, "{\"input\": 1}").header("Authorization", "Bearer k-sent"))
                  .statusCode())
          .isEqualTo(200);
      HttpResponse<String> denied =
          send(
              http,
              post(b, "/v1/completions", "{\"model\": \"" + chat + "\", \"prompt\": \"x\"}")
                  .header("Authorization", "Bearer k-sent"));
      assertThat(denied.statusCode()).isEqualTo(403);
      assertThat(json(denied).at("/error/type").asText()).isEqualTo("permission_error");
      JsonNode models = json(get(http, b, "/v1/models", "Authorization", "Bearer k-sent"));
      assertThat(models.get("data").findValuesAsText("id")).containsExactly(app);
    }
  }

  private static List<String> events(String body) {
    return Arrays.stream(body.split("\n\n"))
        .map(String::trim)
        .filter(s -> s.startsWith("data: "))
        .map(s -> s.substring("data: ".length()))
        .toList();
  }
}
