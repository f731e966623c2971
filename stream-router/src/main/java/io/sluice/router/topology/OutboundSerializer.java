package io.sluice.router.topology;

import io.sluice.avro.DeadLetter;
import io.sluice.avro.InferenceResponse;
import io.sluice.router.batch.EncodedBatch;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes the value of an {@link Outbound} with the serializer of its type: batches ({@link
 * BatchSerializer}), error replies and dead letters. One sink per processor serves all three.
 */
final class OutboundSerializer implements Serializer<Outbound<?>> {
  private final BatchSerializer batches;
  private final Serializer<InferenceResponse> responses;
  private final Serializer<DeadLetter> deadLetters;

  OutboundSerializer(
      BatchSerializer batches,
      Serializer<InferenceResponse> responses,
      Serializer<DeadLetter> deadLetters) {
    this.batches = batches;
    this.responses = responses;
    this.deadLetters = deadLetters;
  }

  @Override
  public byte[] serialize(String topic, Outbound<?> data) {
    return serialize(topic, null, data);
  }

  @Override
  @SuppressWarnings("unchecked")
  public byte[] serialize(String topic, Headers headers, Outbound<?> data) {
    if (data == null) {
      return null;
    }
    Object v = data.value();
    if (v instanceof EncodedBatch) {
      return batches.serialize(topic, (Outbound<EncodedBatch>) data);
    }
    if (v instanceof PipelineStart start) {
      return start.wire();
    }
    if (v instanceof InferenceResponse r) {
      return responses.serialize(topic, headers, r);
    }
    if (v instanceof DeadLetter d) {
      return deadLetters.serialize(topic, headers, d);
    }
    throw new IllegalArgumentException("no serializer for " + v.getClass().getName());
  }
}
