package io.sluice.router.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.avro.InferenceRequest;
import io.sluice.avro.Priority;
import io.sluice.schemas.registry.SchemaRegistryClient;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SchemaRegistries;
import io.sluice.schemas.serde.SerdeConfig;
import io.sluice.schemas.serde.WireFormat;
import io.sluice.testkit.Records;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

class RoutedEncoderTest {
  private static final String URL = "mock://routed-encoder-test";
  private static final String TOPIC = "sluice.requests.chat";

  private final Serializer<InferenceRequest> serializer =
      AvroSerde.of(InferenceRequest.class, SerdeConfig.of(URL), false).serializer();
  private final Deserializer<InferenceRequest> deserializer =
      AvroSerde.of(InferenceRequest.class, SerdeConfig.of(URL), false).deserializer();
  private final SchemaRegistryClient registry = SchemaRegistries.forConfig(SerdeConfig.of(URL));

  private static List<InferenceRequest> requests() {
    return List.of(
        Records.chat("chat", "r-1", "hello").build(),
        Records.chat("chat", "r-2", "a longer question, with ünïcödé", 64)
            .setModel("m")
            .setStream(true)
            .setCreatedAtMs(Instant.ofEpochMilli(1_700_000_000_123L))
            .setDeadlineMs(Instant.ofEpochMilli(1_700_000_060_000L))
            .setPriority(Priority.BULK)
            .setReplyTo("sluice.responses.other")
            .setReplyPartition(3)
            .setTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
            // One entry: a map's entries are written in the order of the map the writer holds,
            // so with more the client's order and a decoded HashMap's may differ (both valid).
            .setAttributes(Map.of("tenant", "t1"))
            .build(),
        // A client that filled in the router's own fields: they are overwritten.
        Records.chat("chat", "r-3", "x")
            .setVariant("client-says")
            .setDeployment("client-dep")
            .setShadow(true)
            .setPipeline("client-pipe")
            .setRoutedAtMs(Instant.ofEpochMilli(5))
            .build());
  }

  /** What the intake does to a decoded request before writing it. */
  private static void route(
      InferenceRequest r, String deployment, String pipeline, boolean shadow) {
    r.setVariant("v-" + deployment);
    r.setDeployment(deployment);
    r.setShadow(shadow);
    r.setPipeline(pipeline);
    r.setRoutedAtMs(Instant.ofEpochMilli(1_700_000_000_999L));
  }

  @Test
  void reusedClientBytesEqualTheFullEncoding() {
    RoutedEncoder encoder = new RoutedEncoder(serializer, registry);
    // The first request is encoded in full: that is how the routed schema id is learnt.
    InferenceRequest first = Records.chat("chat", "warm", "w").build();
    byte[] firstWire = serializer.serialize(TOPIC, first);
    encoder.encode(first, firstWire, encoder.tailStart(firstWire));
    for (InferenceRequest original : requests()) {
      byte[] wire = serializer.serialize(TOPIC, original);
      for (String pipeline : Arrays.asList(null, "summarise")) {
        for (boolean shadow : List.of(false, true)) {
          InferenceRequest r = deserializer.deserialize(TOPIC, wire);
          route(r, pipeline == null ? "chat-a" : null, pipeline, shadow);
          int tail = encoder.tailStart(wire);
          assertThat(tail).isGreaterThan(WireFormat.HEADER_SIZE).isLessThan(wire.length);
          byte[] spliced = encoder.encode(r, wire, tail);
          byte[] full = serializer.serialize(RouterTopology.ROUTED_SUBJECT_TOPIC, r);
          assertThat(spliced).as(r.getRequestId()).isEqualTo(full);
          assertThat(deserializer.deserialize(RouterTopology.ROUTED_SUBJECT_TOPIC, spliced))
              .isEqualTo(r);
        }
      }
    }
  }

  @Test
  void keepsTheClientsOwnValidEncodingOfTheOtherFields() throws Exception {
    // Avro's blocking encoder writes the attributes map as a block with its byte size (a
    // negative count): valid, but not the bytes the router's writer would produce.
    InferenceRequest original =
        Records.chat("chat", "r-b", "blocks").setAttributes(Map.of("k", "v", "k2", "v2")).build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int id = WireFormat.schemaId(serializer.serialize(TOPIC, original));
    ByteBuffer header = ByteBuffer.allocate(WireFormat.HEADER_SIZE);
    WireFormat.writeHeader(header, id);
    out.write(header.array());
    BinaryEncoder blocking = EncoderFactory.get().blockingBinaryEncoder(out, null);
    new SpecificDatumWriter<>(InferenceRequest.class).write(original, blocking);
    blocking.flush();
    byte[] wire = out.toByteArray();
    assertThat(wire).isNotEqualTo(serializer.serialize(TOPIC, original));

    RoutedEncoder encoder = new RoutedEncoder(serializer, registry);
    InferenceRequest r = deserializer.deserialize(TOPIC, wire);
    route(r, "chat-a", null, false);
    encoder.encode(r, wire, -1); // learns the routed schema id
    byte[] spliced = encoder.encode(r, wire, encoder.tailStart(wire));
    byte[] full = serializer.serialize(RouterTopology.ROUTED_SUBJECT_TOPIC, r);
    assertThat(spliced).isNotEqualTo(full); // the client's map block is kept as it was
    assertThat(deserializer.deserialize(RouterTopology.ROUTED_SUBJECT_TOPIC, spliced))
        .isEqualTo(deserializer.deserialize(RouterTopology.ROUTED_SUBJECT_TOPIC, full));
  }

  @Test
  void anotherSchemaOrUnparseableBytesAreNotReused() throws Exception {
    RoutedEncoder encoder = new RoutedEncoder(serializer, registry);
    // An older client schema, readable by the router (the fields it lacks have defaults).
    Schema older =
        SchemaBuilder.record("InferenceRequest")
            .namespace("io.sluice.avro")
            .fields()
            .requiredString("requestId")
            .requiredString("app")
            .endRecord();
    int olderId = registry.register("sluice.requests.legacy-value", older);
    GenericRecord rec = new GenericData.Record(older);
    rec.put("requestId", "r-old");
    rec.put("app", "chat");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer header = ByteBuffer.allocate(WireFormat.HEADER_SIZE);
    WireFormat.writeHeader(header, olderId);
    out.write(header.array());
    BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(older).write(rec, e);
    e.flush();
    byte[] olderWire = out.toByteArray();
    assertThat(encoder.tailStart(olderWire)).isEqualTo(-1);

    byte[] wire = serializer.serialize(TOPIC, Records.chat("chat", "r-t", "truncated").build());
    assertThat(encoder.tailStart(Arrays.copyOf(wire, wire.length / 2))).isEqualTo(-1);
    assertThat(encoder.tailStart(new byte[] {0, 0})).isEqualTo(-1);
    assertThat(encoder.tailStart(new byte[] {7, 0, 0, 0, 1, 2})).isEqualTo(-1);

    // Not reused: the full encoding, whatever was passed.
    InferenceRequest r = deserializer.deserialize(TOPIC, olderWire);
    route(r, "chat-a", null, false);
    assertThat(encoder.encode(r, olderWire, -1))
        .isEqualTo(serializer.serialize(RouterTopology.ROUTED_SUBJECT_TOPIC, r));
  }
}
