package io.sluice.router.topology;

import io.sluice.avro.InferenceRequest;
import io.sluice.schemas.registry.SchemaRegistryClient;
import io.sluice.schemas.serde.FieldOffsets;
import io.sluice.schemas.serde.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes a routed request. The router sets only the last five fields of {@code InferenceRequest}
 * (variant, deployment, shadow, pipeline, routedAtMs); when the client wrote its record with this
 * code's schema and the intake changed no other field, the routed record is the client's own bytes
 * up to those fields plus a fresh encoding of them, instead of a full Avro encode (the largest
 * single cost of the intake, JFR of 2026-12-01: Avro's generic writer dispatches on every field).
 * Any valid encoding of the reused fields is kept as the client wrote it, which every Avro reader
 * accepts; where the client's record ends is found by skipping its fields, never guessed from the
 * tail. In every other case (another schema, unparseable bytes, a field the intake changed) the
 * request is encoded in full, as before.
 *
 * <p>One instance per task; not thread-safe.
 */
final class RoutedEncoder {
  private static final Schema SCHEMA = InferenceRequest.getClassSchema();
  private static final List<String> ROUTER_FIELDS =
      List.of("variant", "deployment", "shadow", "pipeline", "routedAtMs");

  /** Number of the first router-set field: every field from it on is set by the router. */
  private static final int TAIL = SCHEMA.getField(ROUTER_FIELDS.get(0)).pos();

  private static final long FINGERPRINT = SchemaNormalization.parsingFingerprint64(SCHEMA);

  static {
    List<Schema.Field> fields = SCHEMA.getFields();
    if (fields.size() != TAIL + ROUTER_FIELDS.size()) {
      throw new IllegalStateException("InferenceRequest's router fields are no longer its last");
    }
    for (int i = 0; i < ROUTER_FIELDS.size(); i++) {
      if (!fields.get(TAIL + i).name().equals(ROUTER_FIELDS.get(i))) {
        throw new IllegalStateException("InferenceRequest's router fields changed order");
      }
    }
  }

  private final Serializer<InferenceRequest> full;
  private final SchemaRegistryClient registry;
  private final Map<Integer, Boolean> ours = new HashMap<>();
  private final ByteArrayOutputStream tail = new ByteArrayOutputStream(128);
  private BinaryEncoder encoder;

  /** The routed subject's schema id, learnt from the first full encode; -1 until then. */
  private int routedSchemaId = -1;

  /**
   * @param full the routed requests' serializer (registers under the routed subject)
   * @param registry the registry client that resolves the clients' schema ids (caching)
   */
  RoutedEncoder(Serializer<InferenceRequest> full, SchemaRegistryClient registry) {
    this.full = full;
    this.registry = registry;
  }

  /**
   * Where the router-set fields begin in the client's record {@code wire} (a wire-format record
   * that decoded), or -1 when it was not written with this code's schema or does not parse.
   */
  int tailStart(byte[] wire) {
    int id;
    try {
      id = WireFormat.schemaId(wire);
    } catch (RuntimeException e) {
      return -1;
    }
    Boolean same = ours.get(id);
    if (same == null) {
      try {
        same = SchemaNormalization.parsingFingerprint64(registry.getById(id)) == FINGERPRINT;
      } catch (RuntimeException e) {
        return -1; // the registry is unreachable: encode in full, ask again next time
      }
      ours.put(id, same);
    }
    return same ? FieldOffsets.fieldStart(wire, SCHEMA, TAIL) : -1;
  }

  /**
   * The routed request's wire-format bytes: {@code wire}'s bytes before {@code tailStart} and the
   * router's fields of {@code request}; the full encoding when {@code tailStart} is negative.
   * {@code request}'s other fields must be what {@code wire} holds.
   */
  byte[] encode(InferenceRequest request, byte[] wire, int tailStart) {
    if (tailStart < WireFormat.HEADER_SIZE || routedSchemaId < 0) {
      byte[] encoded = full.serialize(RouterTopology.ROUTED_SUBJECT_TOPIC, request);
      routedSchemaId = WireFormat.schemaId(encoded);
      return encoded;
    }
    tail.reset();
    encoder = EncoderFactory.get().directBinaryEncoder(tail, encoder);
    try {
      optionalString(request.getVariant());
      optionalString(request.getDeployment());
      encoder.writeBoolean(request.getShadow());
      optionalString(request.getPipeline());
      Instant routedAt = request.getRoutedAtMs();
      if (routedAt == null) {
        encoder.writeIndex(0);
      } else {
        encoder.writeIndex(1);
        encoder.writeLong(routedAt.toEpochMilli());
      }
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int prefix = tailStart - WireFormat.HEADER_SIZE;
    byte[] out = new byte[WireFormat.HEADER_SIZE + prefix + tail.size()];
    ByteBuffer b = ByteBuffer.wrap(out);
    WireFormat.writeHeader(b, routedSchemaId);
    b.put(wire, WireFormat.HEADER_SIZE, prefix);
    b.put(tail.toByteArray());
    return out;
  }

  /** A {@code ["null", "string"]} union, as Avro's writer encodes it. */
  private void optionalString(CharSequence s) throws IOException {
    if (s == null) {
      encoder.writeIndex(0);
    } else {
      encoder.writeIndex(1);
      encoder.writeString(s.toString());
    }
  }
}
