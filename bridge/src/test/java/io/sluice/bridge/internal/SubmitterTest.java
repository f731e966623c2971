package io.sluice.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import java.net.ServerSocket;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SubmitterTest {

  @Test
  @Timeout(30)
  void anUnreachableKafkaFailsTheSendWithinTheBoundInsteadOfHanging() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    SerdeConfig serde = SerdeConfig.of("mock://submitter-" + UUID.randomUUID());
    try (Submitter submitter =
        new Submitter(
            "localhost:" + port,
            500,
            AvroSerde.of(InferenceRequest.class, serde, false).serializer(),
            AvroSerde.of(InferenceResponse.class, serde, false).serializer(),
            Map.of(),
            Map.of(),
            true)) {
      long start = System.nanoTime();
      var sent =
          submitter.submit(InferenceRequest.newBuilder().setRequestId("r").setApp("a").build());
      assertThatThrownBy(() -> sent.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
    }
  }

  @Test
  @Timeout(30)
  void anInlineSendThatWouldWaitGoesToThePoolAndTheCallerNeverWaits() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    SerdeConfig serde = SerdeConfig.of("mock://submitter-" + UUID.randomUUID());
    long boundMs = 1_000;
    try (Submitter submitter =
        new Submitter(
            "localhost:" + port,
            boundMs,
            AvroSerde.of(InferenceRequest.class, serde, false).serializer(),
            AvroSerde.of(InferenceResponse.class, serde, false).serializer(),
            Map.of(),
            Map.of(),
            true)) {
      InferenceRequest request =
          InferenceRequest.newBuilder().setRequestId("r").setApp("a").build();
      // The first write of a topic goes through the pool (its schema id is looked up there) and,
      // with no broker, fails within the bound.
      var first = submitter.submit(request);
      assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class);
      // Its schema id is now known, so the second is tried inline: the inline producer has no
      // metadata and must not wait for it on the caller's thread; the pool's producer waits and
      // fails it within the bound instead.
      long start = System.nanoTime();
      var second = submitter.submit(request);
      long returnedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(returnedAfterMs).isLessThan(boundMs / 2);
      assertThatThrownBy(() -> second.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
      assertThat(submitter.healthy()).isFalse();
    }
  }
}
