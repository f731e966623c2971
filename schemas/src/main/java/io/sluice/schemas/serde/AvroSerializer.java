package io.sluice.schemas.serde;

import io.sluice.schemas.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (generated or generic) in the Confluent wire format, registering the writer's
 * schema under the topic's subject (TopicNameStrategy) on first use.
 *
 * <p>Usable from plain producers ({@code value.serializer=io.sluice.schemas.serde.AvroSerializer}
 * with {@code schema.registry.url}) and from Kafka Streams through {@link AvroSerde}.
 */
public class AvroSerializer<T extends GenericContainer> implements Serializer<T> {
  private SchemaRegistryClient registry;
  private boolean autoRegister = true;
  private boolean isKey;
  private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
  private final Map<Schema, DatumWriter<Object>> specificWriters = new ConcurrentHashMap<>();
  private final Map<Schema, DatumWriter<Object>> genericWriters = new ConcurrentHashMap<>();

  /** For Kafka's reflective construction; {@link #configure} must follow. */
  public AvroSerializer() {}

  public AvroSerializer(SchemaRegistryClient registry, boolean autoRegister, boolean isKey) {
    this.registry = registry;
    this.autoRegister = autoRegister;
    this.isKey = isKey;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    SerdeConfig c = SerdeConfig.from(configs);
    this.registry = SchemaRegistries.forConfig(c);
    this.autoRegister = c.autoRegister();
    this.isKey = isKey;
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    if (registry == null) {
      throw new IllegalStateException("AvroSerializer used before configure()");
    }
    Schema schema = data.getSchema();
    int id = schemaId(SchemaRegistryClient.subjectFor(topic, isKey), schema);
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream(256);
      ByteBuffer header = ByteBuffer.allocate(WireFormat.HEADER_SIZE);
      WireFormat.writeHeader(header, id);
      out.write(header.array());
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      // Generated classes carry their own SpecificData (logical-type conversions included);
      // generic records of the same schema name must not go through it.
      DatumWriter<Object> writer =
          data instanceof SpecificRecord
              ? specificWriters.computeIfAbsent(schema, s -> new SpecificDatumWriter<>(s))
              : genericWriters.computeIfAbsent(schema, s -> new GenericDatumWriter<>(s));
      writer.write(data, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot encode " + schema.getFullName() + " for topic " + topic + ": " + e, e);
    }
  }

  private int schemaId(String subject, Schema schema) {
    return idsBySubject
        .computeIfAbsent(subject, s -> new ConcurrentHashMap<>())
        .computeIfAbsent(
            schema,
            s -> autoRegister ? registry.register(subject, s) : registry.lookup(subject, s).id());
  }
}
