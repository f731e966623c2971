package io.sluice.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.avro.InferenceBatch;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.RouteConfig;
import io.sluice.manifest.apply.Applier;
import io.sluice.manifest.apply.Change;
import io.sluice.registry.EmbeddedSchemaRegistry;
import io.sluice.registry.store.InMemorySchemaStore;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.SchemaRegistries;
import io.sluice.schemas.serde.SerdeConfig;
import io.sluice.testkit.KafkaCluster;
import io.sluice.testkit.SluiceKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code sluice apply} against a real broker and registry: creates what is missing, grows what is
 * too small, registers every subject up front, publishes routes; a second run changes nothing.
 */
@SluiceKafka
class ApplierIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String manifest(String app, String dep, int weightB, int maxReplicas) {
    return """
        apiVersion: sluice.io/v1
        deployments:
          %1$s-a:
            function: sentiment
            batching: {maxBatchSize: 16, maxWaitMs: 5}
            scaling: {maxReplicas: %4$d}
          %1$s-b:
            function: sentiment
        pipelines:
          %1$s-p:
            steps: {s: {deployment: %1$s-b, input: {text: $/request/text}}}
            output: {label: $/steps/s/label}
        apps:
          %2$s:
            partitions: 2
            route:
              variants:
                - {name: a, deployment: %1$s-a, weight: 100}
                - {name: b, deployment: %1$s-b, weight: %3$d}
              shadows:
                - {pipeline: %1$s-p, percent: 10}
        """
        .formatted(dep, app, weightB, maxReplicas);
  }

  @Test
  @Timeout(120)
  void appliesOnceThenFindsNothingToDo(KafkaCluster kafka) throws Exception {
    String app = kafka.uniqueId("apply");
    String dep = kafka.uniqueId("apply-dep");
    // A batch topic made before, by hand, with too few partitions: apply must grow it.
    kafka.createTopic(Topics.batches(dep + "-a"), 1);
    try (EmbeddedSchemaRegistry registry =
            EmbeddedSchemaRegistry.builder(new InMemorySchemaStore(), 0).build().start();
        Applier applier =
            Applier.create(
                Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                SchemaRegistries.forUrl(registry.url(), null),
                SerdeConfig.of(registry.url()))) {
      Manifest m = ManifestLoader.parse("test.yaml", manifest(app, dep, 0, 6));

      List<Change> dry = applier.plan(m);
      List<Change> done = applier.apply(m);
      assertThat(done).isEqualTo(dry);
      assertThat(done)
          .contains(
              new Change(
                  Change.Kind.ADD_PARTITIONS, Topics.batches(dep + "-a"), "1 -> 6 partitions"),
              new Change(Change.Kind.CREATE_TOPIC, Topics.requests(app), "2 partitions"),
              new Change(Change.Kind.CREATE_TOPIC, Topics.batches(dep + "-b"), "4 partitions"));
      assertThat(done).filteredOn(c -> c.kind() == Change.Kind.SET_ROUTE).hasSize(1);
      assertThat(applier.topics())
          .containsEntry(Topics.batches(dep + "-a"), 6)
          .containsEntry(Topics.batches(dep + "-b"), 4)
          .containsEntry(Topics.requests(app), 2)
          .containsEntry(Topics.responses(app), 2)
          // The bridge's batch API topics (docs/BATCH.md).
          .containsKeys(Topics.BATCH_FILES, Topics.BATCH_JOBS, Topics.BATCH_EVENTS)
          // Step replies of pipeline runs: as wide as the widest deployment topic (shared by every
          // app of the cluster, so another test may have made it wider).
          .hasEntrySatisfying(
              Topics.PIPELINE_REPLIES, n -> assertThat(n).isGreaterThanOrEqualTo(6));

      // A foreign producer that only asks the registry for the latest schema can start now.
      assertThat(latest(registry.url(), Topics.requests(app)))
          .isEqualTo(InferenceRequest.getClassSchema());
      assertThat(latest(registry.url(), Topics.batches(dep + "-b")))
          .isEqualTo(InferenceBatch.getClassSchema());
      assertThat(latest(registry.url(), Topics.responses(app)))
          .isEqualTo(InferenceResponse.getClassSchema());

      RouteConfig inForce = applier.routesInForce().get(app);
      assertThat(inForce.getBatching().get(dep + "-a").getMaxBatchSize()).isEqualTo(16);
      assertThat(inForce.getVariants()).hasSize(2);
      assertThat(inForce.getShadows().get(0).getPipeline()).isEqualTo(dep + "-p");
      assertThat(inForce.getPipelines()).containsOnlyKeys(dep + "-p");
      assertThat(inForce.getPipelines().get(dep + "-p")).isEqualTo(m.pipeline(dep + "-p").json());

      assertThat(applier.plan(m)).isEmpty();
      assertThat(applier.apply(m)).isEmpty();

      // A changed weight is one route change and nothing else.
      Manifest changed = ManifestLoader.parse("test.yaml", manifest(app, dep, 10, 6));
      assertThat(applier.apply(changed))
          .singleElement()
          .satisfies(c -> assertThat(c.kind()).isEqualTo(Change.Kind.SET_ROUTE));
      assertThat(applier.routesInForce().get(app).getVariants().get(1).getWeight()).isEqualTo(10.0);
      assertThat(applier.apply(changed)).isEmpty();
    }
  }

  private static Schema latest(String registryUrl, String topic) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(registryUrl + "/subjects/" + topic + "-value/versions/latest"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("id").asInt()).isPositive();
    return new Schema.Parser().parse(body.path("schema").asText());
  }
}
