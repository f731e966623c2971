package io.sluice.router.topology;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/** Writes the value of an {@link Outbound} with the value's own serializer. */
final class OutboundSerializer<T> implements Serializer<Outbound<T>> {
  private final Serializer<T> delegate;

  OutboundSerializer(Serializer<T> delegate) {
    this.delegate = delegate;
  }

  @Override
  public byte[] serialize(String topic, Outbound<T> data) {
    return data == null ? null : delegate.serialize(topic, data.value());
  }

  @Override
  public byte[] serialize(String topic, Headers headers, Outbound<T> data) {
    return data == null ? null : delegate.serialize(topic, headers, data.value());
  }
}
