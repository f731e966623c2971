package io.sluice.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.avro.RouteConfig;
import io.sluice.avro.Variant;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import io.sluice.testkit.KafkaCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;

/** Helpers shared by the bridge's integration tests: routes, bridges, HTTP calls. */
final class TestBridges {
  static final ObjectMapper JSON = new ObjectMapper();

  private TestBridges() {}

  /** Publishes a route config per app (so the bridge knows them) and creates request topics. */
  static void publishRoutes(KafkaCluster kafka, String registryUrl, List<String> apps)
      throws Exception {
    kafka.createTopic(Topics.ROUTES, 1);
    var serializer =
        AvroSerde.of(RouteConfig.class, SerdeConfig.of(registryUrl), false).serializer();
    Properties p = kafka.producerProperties();
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      for (String app : apps) {
        kafka.createTopic(Topics.requests(app), 2);
        RouteConfig rc =
            RouteConfig.newBuilder()
                .setApp(app)
                .setVariants(
                    List.of(Variant.newBuilder().setName("a").setDeployment(app + "-d").build()))
                .setUpdatedAtMs(Instant.now())
                .build();
        producer
            .send(new ProducerRecord<>(Topics.ROUTES, app, serializer.serialize(Topics.ROUTES, rc)))
            .get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** A config for a test bridge on a free port, with topics unique to {@code scope}. */
  static BridgeConfig config(KafkaCluster kafka, String registryUrl, String scope) {
    return BridgeConfig.of(settings(kafka, registryUrl, scope));
  }

  /** The raw settings behind {@link #config}, for tests that add keys of their own. */
  static Map<String, String> settings(KafkaCluster kafka, String registryUrl, String scope) {
    Map<String, String> s = new HashMap<>();
    s.put(BridgeConfig.PORT, "0");
    s.put(BridgeConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    s.put(BridgeConfig.SCHEMA_REGISTRY_URL, registryUrl);
    s.put(BridgeConfig.REPLY_TOPIC, scope + ".replies");
    s.put(BridgeConfig.REPLY_PARTITIONS, "4");
    s.put(BridgeConfig.RESULTS_TOPIC, scope + ".results");
    s.put(BridgeConfig.REPLY_GROUP, scope + ".group");
    s.put(BridgeConfig.BATCH_FILES_TOPIC, scope + ".batch.files");
    s.put(BridgeConfig.BATCH_JOBS_TOPIC, scope + ".batch.jobs");
    s.put(BridgeConfig.BATCH_EVENTS_TOPIC, scope + ".batch.events");
    s.put(BridgeConfig.BATCH_EVENTS_PARTITIONS, "2");
    s.put(BridgeConfig.BATCH_GROUP, scope + ".batch.group");
    return s;
  }

  static BridgeServer startReady(BridgeConfig config, List<String> apps) {
    BridgeServer b = BridgeServer.start(config);
    Awaitility.await("bridge ready")
        .atMost(Duration.ofSeconds(60))
        .until(() -> b.ready() && apps.stream().allMatch(a -> knows(b, a)));
    return b;
  }

  /** Like {@link #startReady} for a bridge that requires an API key. */
  static BridgeServer startReadyWithAuth(BridgeConfig config) {
    BridgeServer b = BridgeServer.start(config);
    Awaitility.await("bridge ready").atMost(Duration.ofSeconds(60)).until(b::ready);
    return b;
  }

  private static boolean knows(BridgeServer b, String app) {
    try {
      HttpResponse<String> r = get(client(), b, "/v1/models/" + app);
      return r.statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }

  static HttpClient client() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  static HttpRequest.Builder post(BridgeServer b, String path, String body) {
    return HttpRequest.newBuilder(URI.create("http://localhost:" + b.port() + path))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  static HttpResponse<String> send(HttpClient c, HttpRequest.Builder r) throws Exception {
    return c.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(HttpClient c, BridgeServer b, String path, String... headers)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://localhost:" + b.port() + path))
            .timeout(Duration.ofSeconds(60))
            .GET();
    if (headers.length > 0) {
      r.headers(headers);
    }
    return c.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * An infer body under the HTTP body limit whose encoded request is over the record limit: {@code
   * 1e1} is re-encoded as {@code 10.0}, so the JSON input grows by a third on its way to Kafka.
   */
  static String growingBody(BridgeConfig c) {
    int n = (c.maxBodyBytes() - 64) / 4;
    StringBuilder sb = new StringBuilder(c.maxBodyBytes()).append("{\"input\": [");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append("1e1");
    }
    return sb.append("]}").toString();
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }
}
