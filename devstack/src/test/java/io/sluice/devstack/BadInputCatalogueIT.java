package io.sluice.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.avro.BatchingSettings;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.JsonInput;
import io.sluice.avro.RouteConfig;
import io.sluice.avro.Variant;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import io.sluice.testkit.Acks;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every bad input of issue 10 (and a few more), sent to one dev stack the way a careless or hostile
 * client would: each must get a clear answer, and a good request right after must still be served.
 *
 * <p>A clear answer is, over HTTP, a 4xx (413 for oversize, 405 for a wrong method, as the issue
 * and the bridge README state) with a JSON error body that has a stable {@code code} and a {@code
 * message}; over Kafka (a plain byte producer writing the Confluent wire format with the schema id
 * it looked up in the registry, as a foreign client does) a reply for that request id on its reply
 * topic or a dead letter in {@code sluice.dlq.*} naming the request id. After each case a good
 * {@code sentiment} call over HTTP must answer 200, and after each Kafka case a good Kafka request
 * must get its reply.
 *
 * <p>The cases run in a fixed order on one stack, by how much of it a defect could take down:
 * bridge-only inputs and undecodable records first, then those that could stop a worker, the
 * router, the bridge's admission and, last, the 1 GiB string (which can exhaust this JVM's heap
 * through the in-process router), so that on a broken build the first failures name the defects
 * rather than each other's fallout. {@link CatalogueLedger} writes each outcome to {@code
 * target/bad-input-catalogue.txt} as it happens.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
@ExtendWith(CatalogueLedger.class)
class BadInputCatalogueIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String REPLIES = "catalogue.replies";
  private static final int REPLY_PARTITIONS = 3;
  private static final Duration ANSWER_WITHIN = Duration.ofSeconds(20);
  private static final Pattern TRACEPARENT =
      Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private DevStack stack;
  private ForeignKafkaClient kafka;
  private int requestSchemaId;

  @BeforeAll
  void start(@TempDir Path dataDir) throws Exception {
    stack = new DevStack(DevStackSettings.freePorts(DevStackIT.EXAMPLE, dataDir)).start();
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(REPLIES, REPLY_PARTITIONS, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    kafka = new ForeignKafkaClient(stack.bootstrapServers(), stack.registryUrl());
    // The first good call registers the request schema (the bridge auto-registers) and scales the
    // sentiment deployment up; a foreign client then finds the id in the registry.
    assertGoodHttpRequestServed();
    requestSchemaId = kafka.schemaIdOf(Topics.requests("sentiment") + "-value");
  }

  @AfterAll
  void stop() {
    if (kafka != null) {
      kafka.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  // ---- HTTP: the bridge alone ---------------------------------------------------------------

  @Test
  @Order(10)
  void textPlainIsRefused() throws Exception {
    HttpResponse<String> r =
        send(
            "POST",
            "/v1/apps/sentiment/infer",
            bytes("{\"input\": {\"text\": \"I love it\"}}"),
            Map.of("Content-Type", "text/plain"));
    assertClearError(r);
    assertGoodHttpRequestServed();
  }

  @Test
  @Order(11)
  void invalidUtf8IsRefusedNotReplaced() throws Exception {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(bytes("{\"input\": {\"text\": \"bad "));
    body.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE});
    body.writeBytes(bytes("\"}}"));
    assertClearError(send("POST", "/v1/apps/sentiment/infer", body.toByteArray(), Map.of()));
    assertGoodHttpRequestServed();
  }

  @Test
  @Order(12)
  void wrongMethodIs405() throws Exception {
    assertClearError(send("GET", "/v1/apps/sentiment/infer", null, Map.of()), 405);
    assertClearError(send("DELETE", "/v1/chat/completions", null, Map.of()), 405);
    assertGoodHttpRequestServed();
  }

  @Test
  @Order(13)
  void deeplyNestedJsonIsRefused() throws Exception {
    int depth = 50_000;
    String arrays = "[".repeat(depth) + "]".repeat(depth);
    assertClearError(
        send("POST", "/v1/apps/sentiment/infer", bytes("{\"input\": " + arrays + "}"), Map.of()));
    StringBuilder objects = new StringBuilder();
    objects.append("{\"input\": ");
    objects.append("{\"a\": ".repeat(depth)).append("1").append("}".repeat(depth)).append("}");
    assertClearError(send("POST", "/v1/apps/sentiment/infer", bytes(objects.toString()), Map.of()));
    assertGoodHttpRequestServed();
  }

  @Test
  @Order(14)
  void hugeNumbersAreRefused() throws Exception {
    String digits = "9".repeat(5000);
    assertClearError(
        send("POST", "/v1/apps/sentiment/infer", bytes("{\"input\": " + digits + "}"), Map.of()));
    assertClearError(
        send(
            "POST",
            "/v1/apps/sentiment/infer",
            bytes("{\"input\": {\"text\": \"x\"}, \"timeout_ms\": 1e300}"),
            Map.of()));
    assertClearError(
        send(
            "POST",
            "/v1/apps/chat/infer",
            bytes(
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}],"
                    + " \"sampling\": {\"max_tokens\": 99999999999999999999999}}"),
            Map.of()));
    assertClearError(
        send(
            "POST",
            "/v1/chat/completions",
            bytes(
                "{\"model\": \"chat\", \"max_tokens\": 1e400,"
                    + " \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"),
            Map.of()));
    assertClearError(
        send(
            "POST",
            "/v1/apps/sentiment/infer",
            bytes("{\"input\": {\"text\": \"x\"}}"),
            Map.of("Sluice-Timeout-Ms", digits)));
    assertGoodHttpRequestServed();
  }

  @Test
  @Order(15)
  void unknownAppsAre404() throws Exception {
    assertClearError(
        send("POST", "/v1/apps/no-such-app/infer", bytes("{\"input\": {}}"), Map.of()), 404);
    assertClearError(
        send(
            "POST",
            "/v1/chat/completions",
            bytes(
                "{\"model\": \"no-such-app\", \"messages\": [{\"role\": \"user\",\"content\":"
                    + " \"hi\"}]}"),
            Map.of()),
        404);
    assertGoodHttpRequestServed();
  }

  @Test
  @Order(16)
  void malformedTraceparentIsRefusedOrDropped() throws Exception {
    HttpResponse<String> r =
        send(
            "POST",
            "/v1/apps/sentiment/infer",
            bytes("{\"input\": {\"text\": \"I love it\"}}"),
            Map.of(
                "traceparent", "00-NOT-A-TRACE-ID-{}\"'; DROP-01", "Sluice-Timeout-Ms", "20000"));
    if (r.statusCode() >= 400) {
      assertClearError(r);
    } else {
      // W3C Trace Context: a vendor MUST ignore a traceparent it cannot parse (and start a new
      // trace); carrying it verbatim into the request hands the garbage to every hop downstream.
      String id = r.headers().firstValue("Sluice-Request-Id").orElseThrow();
      await()
          .dontCatchUncaughtExceptions()
          .atMost(ANSWER_WITHIN)
          .untilAsserted(() -> assertThat(kafka.requestAsWritten(id)).isNotNull());
      String carried = kafka.requestAsWritten(id).getTraceparent();
      assertThat(carried == null || TRACEPARENT.matcher(carried).matches())
          .as("traceparent carried into the request: %s", carried)
          .isTrue();
    }
    assertGoodHttpRequestServed();
  }

  @Test
  @Order(17)
  void bodyOfOneAndAHalfMiBIs413() throws Exception {
    HttpResponse<String> r =
        send("POST", "/v1/apps/sentiment/infer", bigBody(1536 * 1024), Map.of());
    assertClearError(r, 413);
    assertGoodHttpRequestServed();
  }

  @Test
  @Order(18)
  void idempotentRetryAfterAFailedProduceIsAnsweredNotLeftPending() throws Exception {
    String key = "catalogue-" + UUID.randomUUID();
    Map<String, String> headers = Map.of("Idempotency-Key", key, "Sluice-Timeout-Ms", "8000");
    HttpResponse<String> first =
        send("POST", "/v1/apps/sentiment/infer", bigBody(1536 * 1024), headers);
    assertClearError(first, 413);
    HttpResponse<String> retry =
        send("POST", "/v1/apps/sentiment/infer", bigBody(1536 * 1024), headers);
    assertClearError(retry, 413);
    HttpResponse<String> asyncRetry =
        send(
            "POST",
            "/v1/apps/sentiment/infer",
            bigBody(1536 * 1024),
            Map.of("Idempotency-Key", key, "Prefer", "respond-async"));
    assertClearError(asyncRetry, 413);
    assertGoodHttpRequestServed();
  }

  @Test
  @Order(88)
  void preferWaitOverflowNeverLeaksCapacity() throws Exception {
    // More calls than the bridge's max-in-flight (10000 by default): a leaked slot per call would
    // leave every later caller with 429.
    int calls = 10_050;
    Semaphore window = new Semaphore(64);
    AtomicInteger serverErrors = new AtomicInteger();
    AtomicInteger unclear = new AtomicInteger();
    List<String> examples = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      window.acquire();
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(stack.bridgeUrl() + "/v1/apps/sentiment/infer"))
              .timeout(Duration.ofSeconds(60))
              .header("Content-Type", "application/json")
              .header("Prefer", "wait=9300000000000000")
              .POST(HttpRequest.BodyPublishers.ofString("{\"input\": {\"text\": \"ok\"}}"))
              .build();
      all.add(
          http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
              .whenComplete(
                  (r, e) -> {
                    window.release();
                    if (e != null || r.statusCode() >= 500) {
                      serverErrors.incrementAndGet();
                    } else if (r.statusCode() >= 400 && errorCode(r.body()) == null) {
                      unclear.incrementAndGet();
                    }
                    if (examples.size() < 3 && (e != null || r.statusCode() >= 400)) {
                      examples.add(e != null ? e.toString() : r.statusCode() + " " + r.body());
                    }
                  }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .exceptionally(e -> null)
        .get(120, TimeUnit.SECONDS);
    assertThat(serverErrors.get())
        .as("calls with Prefer: wait=9300000000000000 answered 5xx (e.g. %s)", examples)
        .isZero();
    assertThat(unclear.get()).as("4xx without a JSON error code (e.g. %s)", examples).isZero();
    assertGoodHttpRequestServed();
  }

  // ---- Kafka: what the router and the workers must survive ----------------------------------

  @Test
  @Order(30)
  void wrongMagicByteIsDeadLettered() throws Exception {
    byte[] value = ForeignKafkaClient.wire(requestSchemaId, good("cat-magic"));
    value[0] = 0x01;
    assertKafkaAnswered(sendRaw("cat-magic", value));
    assertGoodRequestsServed();
  }

  @Test
  @Order(31)
  void unknownSchemaIdIsDeadLettered() throws Exception {
    byte[] value = ForeignKafkaClient.wire(requestSchemaId, good("cat-schema"));
    ByteBuffer.wrap(value, 1, 4).putInt(0x7ffffff0);
    assertKafkaAnswered(sendRaw("cat-schema", value));
    assertGoodRequestsServed();
  }

  @Test
  @Order(32)
  void emptyNullAndTruncatedValuesAreDeadLettered() throws Exception {
    assertKafkaAnswered(sendRaw("cat-empty", new byte[0]));
    assertKafkaAnswered(sendRaw("cat-tombstone", null));
    byte[] whole = ForeignKafkaClient.wire(requestSchemaId, good("cat-truncated"));
    assertKafkaAnswered(sendRaw("cat-truncated", Arrays.copyOf(whole, 9)));
    assertGoodRequestsServed();
  }

  @Test
  @Order(33)
  void replyToAMissingTopicIsAnswered() throws Exception {
    String id = newId("cat-missing-topic");
    InferenceRequest r = good(id);
    r.setReplyTo("catalogue.missing-" + UUID.randomUUID());
    assertKafkaAnswered(sendRequest(r));
    assertGoodRequestsServed();
  }

  @Test
  @Order(70)
  void requestsOf600KbInOneBatchWindowAreEachAnswered() throws Exception {
    // Each is under every limit; two in one batch make a batch over the 1 MiB record limit. A
    // record this size is its own producer batch and the router fetches about 1 MiB a partition
    // at a time, so four back to back on one partition make it near certain that two of them
    // share a 5 ms batch window.
    String text = "I love it ".repeat(60 * 1024);
    List<String> ids = new ArrayList<>();
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String id = newId("cat-600k-" + i);
      InferenceRequest r = good(id);
      r.setInput(new JsonInput(JSON.writeValueAsString(Map.of("text", text))));
      sends.add(
          kafka.sendTo(
              Topics.requests("sentiment"), 0, id, ForeignKafkaClient.wire(requestSchemaId, r)));
      ids.add(id);
    }
    kafka.flush();
    Acks.await(sends);
    for (String id : ids) {
      assertKafkaAnswered(id);
    }
    assertGoodRequestsServed();
  }

  @Test
  @Order(71)
  void sixConcurrent600KbHttpCallsAreEachAnswered() throws Exception {
    byte[] body = bigBody(600 * 1024);
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      calls.add(
          http.sendAsync(
              HttpRequest.newBuilder(URI.create(stack.bridgeUrl() + "/v1/apps/sentiment/infer"))
                  .timeout(Duration.ofSeconds(40))
                  .header("Content-Type", "application/json")
                  .header("Sluice-Timeout-Ms", "20000")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> c : calls) {
      HttpResponse<String> r = c.get(45, TimeUnit.SECONDS);
      if (r.statusCode() != 200) {
        assertClearError(r);
      }
    }
    assertGoodHttpRequestServed();
  }

  @Test
  @Order(42)
  void aSingleRequestOverOneMiBIsRefusedOrAnswered() throws Exception {
    String id = newId("cat-over-1mib");
    InferenceRequest r = good(id);
    r.setInput(new JsonInput(JSON.writeValueAsString(Map.of("text", "x".repeat(1200 * 1024)))));
    try {
      kafka
          .send(Topics.requests("sentiment"), id, ForeignKafkaClient.wire(requestSchemaId, r), null)
          .get(20, TimeUnit.SECONDS);
      assertKafkaAnswered(id); // the broker took it: Sluice must answer it
    } catch (ExecutionException e) {
      // The broker's message.max.bytes refused it: the producer got a clear answer.
      assertThat(e.getCause()).isInstanceOf(RecordTooLargeException.class);
    }
    assertGoodRequestsServed();
  }

  @Test
  @Order(51)
  void replyToTheRoutesTopicIsRefused() throws Exception {
    replyToAnInternalTopicIsRefused(Topics.ROUTES);
  }

  @Test
  @Order(50)
  void replyToADeploymentsBatchTopicIsRefused() throws Exception {
    replyToAnInternalTopicIsRefused(Topics.batches("sentiment"));
  }

  private void replyToAnInternalTopicIsRefused(String topic) throws Exception {
    String id = newId("cat-internal");
    InferenceRequest r = good(id);
    r.setReplyTo(topic);
    sendRequest(r);
    assertKafkaAnswered(id);
    assertThat(kafka.seenFor(id))
        .as("records for %s written to internal topics", id)
        .noneMatch(s -> s.kind().equals("internal"));
    assertGoodRequestsServed();
  }

  @Test
  @Order(90)
  void twelveBytesClaimingAGibibyteStringAreDeadLettered() throws Exception {
    // 0x00, the real schema id, then requestId's length as a zig-zag varint of 2^30: 1 GiB.
    ByteBuffer b = ByteBuffer.allocate(12).put((byte) 0).putInt(requestSchemaId);
    b.put(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, 'x', 'y'});
    assertKafkaAnswered(sendRaw("cat-gib", b.array()));
    assertGoodRequestsServed();
  }

  @Test
  @Order(60)
  void replyPartitionMinusFiveIsAnswered() throws Exception {
    replyPartitionOutOfRangeIsAnswered(-5);
  }

  @Test
  @Order(61)
  void replyPartition99OnAThreePartitionTopicIsAnswered() throws Exception {
    replyPartitionOutOfRangeIsAnswered(99);
  }

  private void replyPartitionOutOfRangeIsAnswered(int partition) throws Exception {
    String id = newId("cat-partition" + partition);
    InferenceRequest r = good(id);
    r.setReplyPartition(partition);
    sendRequest(r);
    assertKafkaAnswered(id);
    assertGoodRequestsServed();
  }

  @Test
  @Order(80)
  void aRequestTopicWithMorePartitionsStopsNothing() throws Exception {
    String app = "catalogue4";
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(Topics.requests(app), 4, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    RouteConfig route =
        RouteConfig.newBuilder()
            .setApp(app)
            .setVariants(
                List.of(
                    Variant.newBuilder()
                        .setName("main")
                        .setDeployment("sentiment")
                        .setWeight(100)
                        .build()))
            .setBatching(
                Map.of(
                    "sentiment",
                    BatchingSettings.newBuilder().setMaxBatchSize(32).setMaxWaitMs(5).build()))
            .setUpdatedAtMs(Instant.now())
            .build();
    try (var serde = AvroSerde.of(RouteConfig.class, SerdeConfig.of(stack.registryUrl()), false)) {
      kafka.sendRecord(
          new ProducerRecord<>(
              Topics.ROUTES,
              app.getBytes(StandardCharsets.UTF_8),
              serde.serializer().serialize(Topics.ROUTES, route)));
    }
    List<String> ids = new ArrayList<>();
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    for (int p = 0; p < 4; p++) {
      String id = newId("cat-four-" + p);
      InferenceRequest r = good(id);
      r.setApp(app);
      sends.add(
          kafka.sendTo(Topics.requests(app), p, id, ForeignKafkaClient.wire(requestSchemaId, r)));
      ids.add(id);
    }
    kafka.flush();
    Acks.await(sends);
    for (String id : ids) {
      assertKafkaAnswered(id);
    }
    assertGoodRequestsServed();
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static String newId(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  /** A well-formed sentiment request that replies to the test's reply topic. */
  private static InferenceRequest good(String id) {
    long now = System.currentTimeMillis();
    return InferenceRequest.newBuilder()
        .setRequestId(id)
        .setApp("sentiment")
        .setInput(new JsonInput("{\"text\": \"I love how great this is\"}"))
        .setCreatedAtMs(Instant.ofEpochMilli(now))
        .setDeadlineMs(Instant.ofEpochMilli(now + 60_000))
        .setReplyTo(REPLIES)
        .build();
  }

  private String sendRequest(InferenceRequest r) throws Exception {
    kafka
        .send(
            Topics.requests(r.getApp()),
            r.getRequestId(),
            ForeignKafkaClient.wire(requestSchemaId, r),
            r.getReplyTo())
        .get(20, TimeUnit.SECONDS);
    return r.getRequestId();
  }

  /** Garbage on sentiment's request topic, with the headers that let the router answer it. */
  private String sendRaw(String prefix, byte[] value) throws Exception {
    String id = newId(prefix);
    kafka.send(Topics.requests("sentiment"), id, value, REPLIES).get(20, TimeUnit.SECONDS);
    return id;
  }

  // Awaitility is told not to fail on other threads' uncaught exceptions: a stream thread that
  // dies inside the stack is the stack's business; these cases judge what a client gets.
  private void assertKafkaAnswered(String id) {
    try {
      await()
          .dontCatchUncaughtExceptions()
          .atMost(ANSWER_WITHIN)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> !kafka.answersFor(id).isEmpty());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      fail(
          "no reply and no dead letter for request "
              + id
              + " within "
              + ANSWER_WITHIN
              + "; seen for it: "
              + kafka.seenFor(id));
    }
  }

  private void assertGoodRequestsServed() throws Exception {
    assertGoodKafkaRequestServed();
    assertGoodHttpRequestServed();
  }

  private void assertGoodKafkaRequestServed() throws Exception {
    String id = sendRequest(good(newId("good")));
    try {
      await()
          .dontCatchUncaughtExceptions()
          .atMost(ANSWER_WITHIN)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  kafka.answersFor(id).stream()
                      .anyMatch(s -> s.kind().equals("reply") && s.detail().startsWith("OK")));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      fail("a good Kafka request right after was not served: seen " + kafka.seenFor(id));
    }
  }

  private void assertGoodHttpRequestServed() throws Exception {
    HttpResponse<String> r =
        send(
            "POST",
            "/v1/apps/sentiment/infer",
            bytes("{\"input\": {\"text\": \"I love how great and fast this is\"}}"),
            Map.of("Sluice-Timeout-Ms", "20000"));
    assertThat(r.statusCode()).as("a good sentiment call right after: %s", r.body()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).path("status").asText()).isEqualTo("OK");
  }

  /** A 4xx (or exactly {@code status}) with a JSON error that has a code and a message. */
  private static void assertClearError(HttpResponse<String> r, int... status) {
    String shown = r.statusCode() + " " + abbreviate(r.body());
    if (status.length > 0) {
      assertThat(r.statusCode()).as(shown).isIn(Arrays.stream(status).boxed().toList());
    } else {
      assertThat(r.statusCode()).as(shown).isBetween(400, 499);
    }
    assertThat(r.headers().firstValue("content-type").orElse(""))
        .as(shown)
        .startsWith("application/json");
    assertThat(errorCode(r.body())).as("error.code of " + shown).isNotBlank();
    JsonNode error = parse(r.body()).path("error");
    assertThat(error.path("message").asText()).as("error.message of " + shown).isNotBlank();
  }

  /** The stable code of a Sluice or OpenAI-shaped error body, or null. */
  private static String errorCode(String body) {
    JsonNode error = parse(body).path("error");
    String code = error.path("code").asText(null);
    if (code == null || code.isBlank() || code.equals("null")) {
      code = error.path("type").asText(null);
    }
    return code == null || code.isBlank() ? null : code;
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body == null ? "" : body);
    } catch (Exception e) {
      return JSON.createObjectNode();
    }
  }

  private static String abbreviate(String s) {
    return s == null || s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A valid sentiment body of about {@code size} bytes. */
  private static byte[] bigBody(int size) {
    String prefix = "{\"input\": {\"text\": \"";
    String suffix = "\"}}";
    return bytes(prefix + "a".repeat(size - prefix.length() - suffix.length()) + suffix);
  }

  private HttpResponse<String> send(
      String method, String path, byte[] body, Map<String, String> headers) throws Exception {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Content-Type", "application/json");
    h.putAll(headers);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(stack.bridgeUrl() + path))
            .timeout(Duration.ofSeconds(40))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    h.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
