package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.registry.store.SchemaStoreException;
import io.sluice.testkit.KafkaCluster;
import io.sluice.testkit.SluiceKafka;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The registry on a real broker: its topic is created right and its state survives a restart. */
@SluiceKafka
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EmbeddedSchemaRegistryIT {

  private final KafkaCluster kafka;

  EmbeddedSchemaRegistryIT(KafkaCluster kafka) {
    this.kafka = kafka;
  }

  private EmbeddedSchemaRegistry start(String topic) {
    return EmbeddedSchemaRegistry.builder(kafka.bootstrapServers(), 0)
        .host("127.0.0.1")
        .topic(topic)
        .build()
        .start();
  }

  @Test
  void schemasIdsAndConfigSurviveARestartOnTheSameBroker() throws Exception {
    String topic = kafka.uniqueTopic("_schemas");
    int userId;
    int userV2Id;
    int orderId;
    try (EmbeddedSchemaRegistry registry = start(topic)) {
      RegistryClient client = new RegistryClient(registry.url());
      userId = client.register("users-value", Schemas.USER_V1).json().getInteger("id");
      userV2Id =
          client.register("users-value", Schemas.USER_V2_WITH_DEFAULT).json().getInteger("id");
      orderId = client.register("orders-value", Schemas.ORDER).json().getInteger("id");
      assertThat(client.register("audit-value", Schemas.USER_V1).json().getInteger("id"))
          .isEqualTo(userId);
      client.put("/config/orders-value", new JsonObject().put("compatibility", "NONE"));
      client.put("/config", new JsonObject().put("compatibility", "FULL"));
      client.delete("/subjects/audit-value");
    }

    TopicDescription description =
        kafka
            .admin()
            .describeTopics(List.of(topic))
            .allTopicNames()
            .get(30, TimeUnit.SECONDS)
            .get(topic);
    assertThat(description.partitions()).hasSize(1);
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    assertThat(
            kafka
                .admin()
                .describeConfigs(Set.of(resource))
                .all()
                .get(30, TimeUnit.SECONDS)
                .get(resource)
                .get(TopicConfig.CLEANUP_POLICY_CONFIG)
                .value())
        .isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);

    try (EmbeddedSchemaRegistry registry = start(topic)) {
      RegistryClient client = new RegistryClient(registry.url());
      assertThat(client.get("/subjects").array())
          .isEqualTo(new JsonArray().add("orders-value").add("users-value"));
      assertThat(client.get("/subjects?deleted=true").array()).contains("audit-value");
      assertThat(client.get("/subjects/users-value/versions").array())
          .isEqualTo(new JsonArray().add(1).add(2));
      assertThat(client.get("/subjects/users-value/versions/2").json().getInteger("id"))
          .isEqualTo(userV2Id);
      assertThat(client.get("/schemas/ids/" + orderId).status()).isEqualTo(200);
      assertThat(
              client.register("users-value", Schemas.USER_V1_REFORMATTED).json().getInteger("id"))
          .isEqualTo(userId);
      assertThat(client.get("/config").json().getString("compatibilityLevel")).isEqualTo("FULL");
      assertThat(client.get("/config/orders-value").json().getString("compatibilityLevel"))
          .isEqualTo("NONE");

      int next = client.register("fresh-value", Schemas.USER_EMPTY).json().getInteger("id");
      assertThat(next).isEqualTo(Math.max(userV2Id, orderId) + 1);
    }
  }

  @Test
  void refusesASchemaTopicWithMoreThanOnePartition() {
    String topic = kafka.createTopic(kafka.uniqueTopic("_schemas"), 3);
    EmbeddedSchemaRegistry registry =
        EmbeddedSchemaRegistry.builder(kafka.bootstrapServers(), 0).topic(topic).build();
    try {
      assertThatThrownBy(registry::start)
          .isInstanceOf(SchemaStoreException.class)
          .hasMessageContaining("exactly 1");
    } finally {
      registry.close();
    }
  }
}
