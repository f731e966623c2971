package io.sluice.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.schemas.Topics;
import io.sluice.schemas.registry.RestSchemaRegistryClient;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DevStackIT {
  @TempDir Path dataDir;

  private DevStackSettings settings(boolean fresh) {
    return new DevStackSettings(dataDir, fresh, "localhost", 0, 0, false);
  }

  @Test
  void startsBrokerAndRegistryWithTheDemoTopicsAndKeepsDataAcrossRestarts() throws Exception {
    try (DevStack stack = new DevStack(settings(false)).start()) {
      assertThat(stack.endpoints()).containsKeys("Kafka bootstrap", "Schema Registry");
      try (Admin admin = admin(stack)) {
        Set<String> topics = admin.listTopics().names().get(10, TimeUnit.SECONDS);
        assertThat(topics)
            .contains(
                Topics.ROUTES,
                Topics.DLQ_ROUTER,
                Topics.requests("chat"),
                Topics.responses("chat"),
                Topics.batches("chat-a"),
                Topics.batches("chat-b"),
                Topics.dlq("sentiment"));
        assertThat(routesEnd(admin)).isEqualTo(2);
      }
      assertThat(RestSchemaRegistryClient.builder(stack.registryUrl()).build().subjects())
          .contains(Topics.ROUTES + "-value");
    }

    // Same data directory: routes are kept, not published again.
    try (DevStack again = new DevStack(settings(false)).start();
        Admin admin = admin(again)) {
      assertThat(routesEnd(admin)).isEqualTo(2);
      assertThat(RestSchemaRegistryClient.builder(again.registryUrl()).build().subjects())
          .contains(Topics.ROUTES + "-value");
    }

    // --fresh wipes it.
    try (DevStack fresh = new DevStack(settings(true)).start();
        Admin admin = admin(fresh)) {
      assertThat(routesEnd(admin)).isEqualTo(2);
    }
  }

  private static Admin admin(DevStack stack) {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()));
  }

  private static long routesEnd(Admin admin) throws Exception {
    TopicPartition tp = new TopicPartition(Topics.ROUTES, 0);
    return admin
        .listOffsets(Map.of(tp, OffsetSpec.latest()))
        .partitionResult(tp)
        .get(10, TimeUnit.SECONDS)
        .offset();
  }
}
