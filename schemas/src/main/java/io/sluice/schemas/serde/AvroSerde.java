package io.sluice.schemas.serde;

import io.sluice.schemas.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A Kafka {@link Serde} for a generated Avro type in the Confluent wire format, for Kafka Streams
 * and plain clients alike.
 *
 * <pre>{@code
 * Serde<InferenceRequest> serde =
 *     AvroSerde.of(InferenceRequest.class, SerdeConfig.of("http://localhost:8081"), false);
 * }</pre>
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {
  private final AvroSerializer<T> serializer;
  private final AvroDeserializer<T> deserializer;

  private AvroSerde(AvroSerializer<T> serializer, AvroDeserializer<T> deserializer) {
    this.serializer = serializer;
    this.deserializer = deserializer;
  }

  /** A serde for a generated type, using the shared registry client of the config's URL. */
  public static <T extends SpecificRecord> AvroSerde<T> of(
      Class<T> type, SerdeConfig config, boolean isKey) {
    SchemaRegistryClient registry = SchemaRegistries.forConfig(config);
    return of(type, registry, config.autoRegister(), isKey);
  }

  /** A serde for a generated type on a given registry client. */
  public static <T extends SpecificRecord> AvroSerde<T> of(
      Class<T> type, SchemaRegistryClient registry, boolean autoRegister, boolean isKey) {
    return new AvroSerde<>(
        new AvroSerializer<>(registry, autoRegister, isKey),
        new AvroDeserializer<>(registry, type));
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    // Built complete by the factory methods; Kafka's configure() call changes nothing.
  }

  @Override
  public Serializer<T> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<T> deserializer() {
    return deserializer;
  }
}
