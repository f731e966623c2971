package io.sluice.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicsTest {
  @Test
  void namesFollowTheWireContract() {
    assertThat(Topics.requests("chat")).isEqualTo("sluice.requests.chat");
    assertThat(Topics.batches("llama-a")).isEqualTo("sluice.batches.llama-a");
    assertThat(Topics.responses("chat")).isEqualTo("sluice.responses.chat");
    assertThat(Topics.dlq("llama-a")).isEqualTo("sluice.dlq.llama-a");
    assertThat(Topics.workerGroup("llama-a")).isEqualTo("sluice.fn.llama-a");
    assertThat(Topics.appOfRequestTopic("sluice.requests.chat")).isEqualTo("chat");
    assertThat(Topics.appOfRequestTopic("other")).isNull();
  }

  @Test
  void illegalNamesAreRejectedWithTheRule() {
    assertThatThrownBy(() -> Topics.requests("has space"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'has space'")
        .hasMessageContaining("a-z");
    assertThatThrownBy(() -> Topics.batches("")).isInstanceOf(IllegalArgumentException.class);
  }
}
