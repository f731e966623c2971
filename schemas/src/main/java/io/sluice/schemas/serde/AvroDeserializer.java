package io.sluice.schemas.serde;

import io.sluice.schemas.registry.SchemaRegistryClient;
import io.sluice.schemas.registry.SchemaRegistryException;
import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DatumReader;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-wire-format Avro records. The writer's schema is fetched from the registry by the
 * id in the header (once per id) and resolved against the reader's schema, so a reader with a newer
 * compatible schema reads old records and an old reader reads newer ones.
 *
 * <p>Garbage never yields a {@code NullPointerException} or a hang: a bad magic byte, an unknown
 * schema id, a truncated or malformed body each throw a {@link WireFormatException} whose {@link
 * WireFormatException#kind()} says which. A registry that cannot be reached throws a retriable
 * {@link SchemaRegistryException} instead: the record may be fine. Decoding allocates at most in
 * proportion to the record's size, whatever its length prefixes claim ({@link BoundedDecoder}).
 */
public class AvroDeserializer<T> implements Deserializer<T> {
  private final Class<T> type;
  private final Schema genericReaderSchema;
  private SchemaRegistryClient registry;
  private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();

  /** For Kafka's reflective construction: reads {@code GenericRecord}s unless generated. */
  public AvroDeserializer() {
    this.type = null;
    this.genericReaderSchema = null;
  }

  /**
   * A deserializer for a generated type, or generic records when {@code type} is null.
   *
   * @param registry the registry client (shared, caching)
   */
  public AvroDeserializer(SchemaRegistryClient registry, Class<T> type) {
    this.registry = registry;
    this.type = type;
    this.genericReaderSchema = null;
  }

  /**
   * A deserializer of generic records resolved to a reader schema of the caller's (for example a
   * newer or older version of the writer's schema).
   */
  public AvroDeserializer(SchemaRegistryClient registry, Schema readerSchema) {
    this.registry = registry;
    this.type = null;
    this.genericReaderSchema = readerSchema;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    SerdeConfig c = SerdeConfig.from(configs);
    this.registry = SchemaRegistries.forConfig(c);
  }

  @Override
  public T deserialize(String topic, byte[] payload) {
    if (payload == null) {
      return null; // a tombstone
    }
    if (registry == null) {
      throw new IllegalStateException("AvroDeserializer used before configure()");
    }
    int id = WireFormat.schemaId(payload);
    DatumReader<T> reader = readers.computeIfAbsent(id, this::readerFor);
    // Bounded: no length prefix can make the reader allocate more than the record holds.
    BoundedDecoder decoder =
        new BoundedDecoder(
            payload, WireFormat.HEADER_SIZE, payload.length - WireFormat.HEADER_SIZE);
    try {
      T value = reader.read(null, decoder);
      if (!decoder.isEnd()) {
        throw new WireFormatException(
            WireFormatException.Kind.MALFORMED_AVRO,
            id,
            "bytes left over after the record with schema id " + id,
            null);
      }
      return value;
    } catch (EOFException e) {
      throw new WireFormatException(
          WireFormatException.Kind.TRUNCATED,
          id,
          "Avro body ends early for schema id " + id + " (" + payload.length + " bytes)",
          e);
    } catch (IOException | RuntimeException e) {
      if (e instanceof WireFormatException w) {
        throw w;
      }
      throw new WireFormatException(
          WireFormatException.Kind.MALFORMED_AVRO,
          id,
          "Avro body does not decode with schema id " + id + ": " + e,
          e);
    }
  }

  @SuppressWarnings("unchecked")
  private DatumReader<T> readerFor(int id) {
    Schema writer;
    try {
      writer = registry.getById(id);
    } catch (SchemaRegistryException.SchemaNotFoundException e) {
      throw new WireFormatException(
          WireFormatException.Kind.UNKNOWN_SCHEMA_ID,
          id,
          "the schema registry has no schema with id " + id,
          e);
    }
    if (type == null && genericReaderSchema == null) {
      return new GenericDatumReader<>(writer);
    }
    Schema readerSchema = type != null ? SpecificData.get().getSchema(type) : genericReaderSchema;
    SchemaCompatibility.SchemaPairCompatibility compat =
        SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writer);
    if (compat.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      throw new WireFormatException(
          WireFormatException.Kind.INCOMPATIBLE_SCHEMA,
          id,
          "schema id "
              + id
              + " ("
              + writer.getFullName()
              + ") cannot be read as "
              + readerSchema.getFullName()
              + ": "
              + compat.getDescription(),
          null);
    }
    return type != null
        ? (DatumReader<T>) new SpecificDatumReader<>(writer, readerSchema)
        : new GenericDatumReader<>(writer, readerSchema);
  }
}
