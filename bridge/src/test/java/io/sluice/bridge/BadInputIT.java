package io.sluice.bridge;

import static io.sluice.bridge.TestBridges.client;
import static io.sluice.bridge.TestBridges.json;
import static io.sluice.bridge.TestBridges.post;
import static io.sluice.bridge.TestBridges.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.testkit.KafkaCluster;
import io.sluice.testkit.SluiceKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Bad input from one client, on a real broker: each gets a clear 4xx naming what is wrong, and
 * nothing it does costs the next caller (the in-flight slots all come back).
 */
@SluiceKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BadInputIT {
  private static final int MAX_IN_FLIGHT = 3;

  private final KafkaCluster kafka;
  private final String registry = "mock://bad-input-it-" + UUID.randomUUID();
  private final HttpClient http = client();
  private String app;
  private String chat;
  private BridgeServer bridge;
  private EchoWorker worker;

  BadInputIT(KafkaCluster kafka) {
    this.kafka = kafka;
  }

  @BeforeAll
  void start() throws Exception {
    app = kafka.uniqueId("echo");
    chat = kafka.uniqueId("chat");
    TestBridges.publishRoutes(kafka, registry, List.of(app, chat));
    worker = new EchoWorker(kafka, registry, List.of(app, chat), Set.of());
    Map<String, String> s = TestBridges.settings(kafka, registry, kafka.uniqueId("bad-input"));
    s.put(BridgeConfig.MAX_IN_FLIGHT, Integer.toString(MAX_IN_FLIGHT));
    bridge = TestBridges.startReady(BridgeConfig.of(s), List.of(app, chat));
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

  private String infer() {
    return "/v1/apps/" + app + "/infer";
  }

  private double inFlightGauge() {
    return bridge.metrics().get("sluice.bridge.in.flight").gauge().value();
  }

  @Test
  void badHeadersAre400sNamingTheHeaderAndLeakNoInFlightSlot() throws Exception {
    // Defect 6: wait * 1000 overflowed, the timer call threw after a slot was taken, and the slot
    // was never returned: after max-in-flight such calls every caller got 429.
    for (int i = 0; i < MAX_IN_FLIGHT * 2; i++) {
      HttpResponse<String> r =
          send(
              http,
              post(bridge, infer(), "{\"input\": 1}").header("Prefer", "wait=9300000000000000"));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      assertThat(json(r).at("/error/param").asText()).isEqualTo("Prefer");
    }
    Map<String, String> bad =
        Map.of(
            "Sluice-Timeout-Ms", "99999999999999999999",
            "Sluice-Priority", "urgent",
            "X-Stainless-Timeout", "soon",
            "traceparent", "00-not-a-trace-01",
            "Idempotency-Key", "k".repeat(256));
    for (var h : bad.entrySet()) {
      HttpResponse<String> r =
          send(http, post(bridge, infer(), "{\"input\": 1}").header(h.getKey(), h.getValue()));
      assertThat(r.statusCode()).as("%s: %s", h.getKey(), r.body()).isEqualTo(400);
      assertThat(json(r).at("/error/param").asText()).isEqualToIgnoringCase(h.getKey());
    }
    HttpResponse<String> good =
        send(
            http,
            post(bridge, infer(), "{\"input\": {\"ok\": true}}")
                .header("Prefer", "wait=20")
                .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    assertThat(good.statusCode()).as(good.body()).isEqualTo(200);
    assertThat(json(good).at("/output/ok").asBoolean()).isTrue();
    org.awaitility.Awaitility.await("in-flight gauge back to 0")
        .atMost(Duration.ofSeconds(10))
        .until(() -> inFlightGauge() == 0.0);
  }

  @Test
  void aBodyOverTheRecordLimitIs413WithTheRealLimitNot503() throws Exception {
    int limit = bridge.config().maxMessageBytes();
    // Between the record limit and the old 4 MiB HTTP limit: passed HTTP, failed at the producer.
    char[] big = new char[2 * limit];
    Arrays.fill(big, 'x');
    HttpResponse<String> r =
        send(http, post(bridge, infer(), "{\"input\": \"" + new String(big) + "\"}"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
    assertThat(json(r).at("/error/code").asText()).isEqualTo("payload_too_large");
    assertThat(json(r).at("/error/message").asText()).contains(Integer.toString(limit));
    assertThat(r.headers().firstValue("Retry-After")).isEmpty();
  }

  @Test
  void aBodyThatGrowsPastTheRecordLimitWhenEncodedIs413FromTheProducer() throws Exception {
    String body = TestBridges.growingBody(bridge.config());
    assertThat(body.length()).isLessThan(bridge.config().maxBodyBytes());
    HttpResponse<String> r = send(http, post(bridge, infer(), body));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
    assertThat(json(r).at("/error/code").asText()).isEqualTo("payload_too_large");
    assertThat(json(r).at("/error/message").asText())
        .contains(Integer.toString(bridge.config().maxMessageBytes()));
    assertThat(r.headers().firstValue("Retry-After")).isEmpty();
  }

  @Test
  void theContentTypeMustBeJson() throws Exception {
    HttpResponse<String> plain =
        send(http, post(bridge, infer(), "{\"input\": 1}").setHeader("Content-Type", "text/plain"));
    assertThat(plain.statusCode()).as(plain.body()).isEqualTo(415);
    assertThat(json(plain).at("/error/code").asText()).isEqualTo("unsupported_media_type");
    HttpResponse<String> openAi =
        send(
            http,
            post(bridge, "/v1/completions", "{\"model\": \"" + chat + "\", \"prompt\": \"x\"}")
                .setHeader("Content-Type", "application/x-www-form-urlencoded"));
    assertThat(openAi.statusCode()).isEqualTo(415);
    assertThat(json(openAi).at("/error/type").asText()).isEqualTo("invalid_request_error");
    HttpResponse<String> gzip =
        send(http, post(bridge, infer(), "{\"input\": 1}").header("Content-Encoding", "gzip"));
    assertThat(gzip.statusCode()).isEqualTo(415);
    assertThat(json(gzip).at("/error/param").asText()).isEqualTo("Content-Encoding");
    HttpResponse<String> empty = send(http, post(bridge, infer(), ""));
    assertThat(empty.statusCode()).as(empty.body()).isEqualTo(400);
    assertThat(json(empty).at("/error/code").asText()).isEqualTo("invalid_json");
    HttpResponse<String> withCharset =
        send(
            http,
            post(bridge, infer(), "{\"input\": 2}")
                .setHeader("Content-Type", "Application/JSON; charset=UTF-8"));
    assertThat(withCharset.statusCode()).as(withCharset.body()).isEqualTo(200);
  }

  @Test
  void invalidUtf8IsRejectedNotReplaced() throws Exception {
    byte[] prefix = "{\"input\": \"".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] bytes = Arrays.copyOf(prefix, prefix.length + 3);
    bytes[prefix.length] = (byte) 0xC3; // a lead byte with no continuation
    bytes[prefix.length + 1] = '"';
    bytes[prefix.length + 2] = '}';
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + bridge.port() + infer()))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(json(r).at("/error/code").asText()).isEqualTo("invalid_json");
    assertThat(json(r).at("/error/message").asText()).contains("UTF-8");
  }

  @Test
  void aWrongMethodIs405WithAllow() throws Exception {
    HttpResponse<String> get = TestBridges.get(http, bridge, infer());
    assertThat(get.statusCode()).as(get.body()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).hasValue("POST");
    assertThat(json(get).at("/error/code").asText()).isEqualTo("method_not_allowed");
    HttpResponse<String> put =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://localhost:" + bridge.port() + "/v1/chat/completions"))
                .PUT(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).isEqualTo(405);
    assertThat(json(put).at("/error/type").asText()).isEqualTo("invalid_request_error");
    HttpResponse<String> none = TestBridges.get(http, bridge, "/v1/nothing-here");
    assertThat(none.statusCode()).isEqualTo(404);
  }

  @Test
  void duplicateKeysAndDeepNestingAreInvalidJson() throws Exception {
    HttpResponse<String> dup = send(http, post(bridge, infer(), "{\"input\": 1, \"input\": 2}"));
    assertThat(dup.statusCode()).as(dup.body()).isEqualTo(400);
    assertThat(json(dup).at("/error/code").asText()).isEqualTo("invalid_json");
    String deep = "[".repeat(2000) + "]".repeat(2000);
    HttpResponse<String> nested = send(http, post(bridge, infer(), "{\"input\": " + deep + "}"));
    assertThat(nested.statusCode()).as(nested.body()).isEqualTo(400);
    assertThat(json(nested).at("/error/code").asText()).isEqualTo("invalid_json");
    JsonNode after = json(send(http, post(bridge, infer(), "{\"input\": 3}")));
    assertThat(after.at("/output").asInt()).isEqualTo(3);
  }
}
