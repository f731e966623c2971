package io.sluice.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The batch API's rules that need no Kafka: status machine, metadata, pagination, files. */
class BatchApiRulesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode job(String status) {
    return JsonNodeFactory.instance.objectNode().put("id", "batch_x").put("status", status);
  }

  @Test
  void theStatusMachineIsOpenAis() {
    ObjectNode j = job(BatchStatus.VALIDATING);
    BatchStatus.move(j, BatchStatus.IN_PROGRESS, 10);
    BatchStatus.move(j, BatchStatus.FINALIZING, 11);
    BatchStatus.move(j, BatchStatus.COMPLETED, 12);
    assertThat(j.get("in_progress_at").asLong()).isEqualTo(10);
    assertThat(j.get("completed_at").asLong()).isEqualTo(12);
    assertThat(BatchStatus.live(BatchStatus.COMPLETED)).isFalse();
    assertThatThrownBy(() -> BatchStatus.move(j, BatchStatus.CANCELLING, 13))
        .isInstanceOf(IllegalStateException.class);

    ObjectNode c = job(BatchStatus.IN_PROGRESS);
    BatchStatus.move(c, BatchStatus.CANCELLING, 5);
    assertThat(BatchStatus.live(BatchStatus.CANCELLING)).isTrue();
    assertThat(BatchStatus.allowed(BatchStatus.CANCELLING, BatchStatus.COMPLETED)).isFalse();
    BatchStatus.move(c, BatchStatus.CANCELLED, 6);

    assertThat(BatchStatus.allowed(BatchStatus.VALIDATING, BatchStatus.FAILED)).isTrue();
    assertThat(BatchStatus.allowed(BatchStatus.IN_PROGRESS, BatchStatus.EXPIRED)).isTrue();
    assertThat(BatchStatus.allowed(BatchStatus.IN_PROGRESS, BatchStatus.FAILED)).isFalse();
    assertThat(BatchStatus.allowed(BatchStatus.FAILED, BatchStatus.IN_PROGRESS)).isFalse();
  }

  @Test
  void metadataHasAtMost16PairsOfBoundedStrings() throws Exception {
    assertThat(BatchApi.metadata(null).isNull()).isTrue();
    assertThat(BatchApi.metadata(JSON.readTree("{\"a\":\"b\"}")).get("a").asText()).isEqualTo("b");
    ObjectNode many = JsonNodeFactory.instance.objectNode();
    for (int i = 0; i < 17; i++) {
      many.put("k" + i, "v");
    }
    assertThatThrownBy(() -> BatchApi.metadata(many))
        .isInstanceOf(ApiError.class)
        .hasMessageContaining("16");
    assertThat(param(JsonNodeFactory.instance.objectNode().put("k".repeat(65), "v")))
        .isEqualTo("metadata");
    assertThat(param(JsonNodeFactory.instance.objectNode().put("k", "v".repeat(513))))
        .isEqualTo("metadata.k");
    assertThat(param(JsonNodeFactory.instance.objectNode().put("k", 1))).isEqualTo("metadata.k");
    assertThat(param(JSON.readTree("[1]"))).isEqualTo("metadata");
    ObjectNode edge = JsonNodeFactory.instance.objectNode();
    for (int i = 0; i < 16; i++) {
      edge.put(("k" + i + "x".repeat(64)).substring(0, 64), "v".repeat(512));
    }
    assertThat(BatchApi.metadata(edge).size()).isEqualTo(16);
  }

  private static String param(JsonNode m) {
    try {
      BatchApi.metadata(m);
    } catch (ApiError e) {
      assertThat(e.status()).isEqualTo(400);
      return e.param();
    }
    throw new AssertionError("accepted " + m);
  }

  @Test
  void pagesFollowAfterAndLimitWithHasMoreFirstAndLastIds() {
    List<ObjectNode> all = new ArrayList<>();
    for (int i = 5; i >= 1; i--) {
      all.add(JsonNodeFactory.instance.objectNode().put("id", "batch_" + i));
    }
    JsonNode p1 = BatchApi.page(all, null, 2, o -> o);
    assertThat(p1.get("object").asText()).isEqualTo("list");
    assertThat(p1.get("data")).hasSize(2);
    assertThat(p1.get("first_id").asText()).isEqualTo("batch_5");
    assertThat(p1.get("last_id").asText()).isEqualTo("batch_4");
    assertThat(p1.get("has_more").asBoolean()).isTrue();
    JsonNode p3 = BatchApi.page(all, "batch_2", 2, o -> o);
    assertThat(p3.get("data")).hasSize(1);
    assertThat(p3.get("first_id").asText()).isEqualTo("batch_1");
    assertThat(p3.get("has_more").asBoolean()).isFalse();
    JsonNode none = BatchApi.page(all, "batch_1", 2, o -> o);
    assertThat(none.get("data")).isEmpty();
    assertThat(none.get("first_id").isNull()).isTrue();
    assertThatThrownBy(() -> BatchApi.page(all, "batch_9", 2, o -> o)).isInstanceOf(ApiError.class);
  }

  @Test
  void aFileIsStrictUtf8AndItsBlankLinesDoNotCount() {
    assertThat(BatchApi.countLines("a\n\n  \nb\r\nc".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(3);
    assertThatThrownBy(() -> BatchApi.countLines(new byte[] {'a', (byte) 0xC3}))
        .isInstanceOf(ApiError.class)
        .hasMessageContaining("UTF-8");
  }
}
