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
            Map.of())) {
      long start = System.nanoTime();
      var sent =
          submitter.submit(InferenceRequest.newBuilder().setRequestId("r").setApp("a").build());
      assertThatThrownBy(() -> sent.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
    }
  }
}
