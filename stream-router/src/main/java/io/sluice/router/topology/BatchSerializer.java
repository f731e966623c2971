package io.sluice.router.topology;

import io.sluice.avro.FlushReason;
import io.sluice.avro.InferenceBatch;
import io.sluice.avro.Priority;
import io.sluice.router.batch.EncodedBatch;
import io.sluice.schemas.registry.SchemaRegistryClient;
import io.sluice.schemas.serde.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes an {@link EncodedBatch} as an {@code InferenceBatch} in the Confluent wire format, exactly
 * as the generic Avro serializer would, except that the {@code requests} array's items are copied
 * from the bytes the router encoded when each request arrived instead of being encoded again. The
 * other fields are written by Avro's own writer from the {@code InferenceBatch} schema, so the
 * layout follows the schema.
 */
final class BatchSerializer implements Serializer<Outbound<EncodedBatch>> {
  private static final Schema SCHEMA = InferenceBatch.getClassSchema();
  private static final Schema PRIORITY = SCHEMA.getField("priority").schema();
  private static final Schema FLUSH_REASON = SCHEMA.getField("flushReason").schema();

  private final SchemaRegistryClient registry;
  private final boolean autoRegister;
  private final Map<String, Integer> idsBySubject = new ConcurrentHashMap<>();
  private final Writer writer = new Writer();
  private final Map<Priority, GenericData.EnumSymbol> priorities = new ConcurrentHashMap<>();
  private final Map<FlushReason, GenericData.EnumSymbol> reasons = new ConcurrentHashMap<>();

  BatchSerializer(SchemaRegistryClient registry, boolean autoRegister) {
    this.registry = registry;
    this.autoRegister = autoRegister;
  }

  @Override
  public byte[] serialize(String topic, Outbound<EncodedBatch> data) {
    if (data == null) {
      return null;
    }
    EncodedBatch b = data.value();
    int id =
        idsBySubject.computeIfAbsent(
            SchemaRegistryClient.subjectFor(topic, false),
            s -> autoRegister ? registry.register(s, SCHEMA) : registry.lookup(s, SCHEMA).id());
    GenericData.Record record = new GenericData.Record(SCHEMA);
    record.put("batchId", b.batchId());
    record.put("deployment", b.deployment());
    record.put(
        "priority",
        priorities.computeIfAbsent(
            b.priority(), p -> new GenericData.EnumSymbol(PRIORITY, p.name())));
    record.put("requests", b);
    record.put("firstArrivalMs", b.firstArrivalMs());
    record.put("flushedAtMs", b.flushedAtMs());
    record.put(
        "flushReason",
        reasons.computeIfAbsent(
            b.flushReason(), r -> new GenericData.EnumSymbol(FLUSH_REASON, r.name())));
    record.put("estimatedTokens", b.estimatedTokens());
    ByteArrayOutputStream out =
        new ByteArrayOutputStream(WireFormat.HEADER_SIZE + b.requests().length + 128);
    ByteBuffer header = ByteBuffer.allocate(WireFormat.HEADER_SIZE);
    WireFormat.writeHeader(header, id);
    out.writeBytes(header.array());
    try {
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      writer.write(record, encoder);
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot encode " + SCHEMA.getFullName() + " for topic " + topic + ": " + e, e);
    }
    return out.toByteArray();
  }

  /** Avro's generic writer, but the {@code requests} array is the batch's pre-encoded items. */
  private static final class Writer extends GenericDatumWriter<Object> {
    Writer() {
      super(SCHEMA, GenericData.get());
    }

    @Override
    protected void writeArray(Schema schema, Object datum, Encoder out) throws IOException {
      if (!(datum instanceof EncodedBatch b)) {
        super.writeArray(schema, datum, out);
        return;
      }
      out.writeArrayStart();
      out.setItemCount(b.size());
      if (b.size() > 0) {
        // Binary encoding: a block is its item count, then the items back to back.
        out.writeFixed(b.requests());
      }
      out.writeArrayEnd();
    }
  }
}
