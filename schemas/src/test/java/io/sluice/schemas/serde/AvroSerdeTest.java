package io.sluice.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.avro.ChatInput;
import io.sluice.avro.ChatMessage;
import io.sluice.avro.ChatRole;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.Priority;
import io.sluice.avro.SamplingParams;
import io.sluice.schemas.registry.InMemorySchemaRegistryClient;
import io.sluice.schemas.registry.SchemaRegistryClient;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
  private static final String TOPIC = "sluice.requests.chat";

  private SchemaRegistryClient registry;
  private AvroSerde<InferenceRequest> serde;

  @BeforeEach
  void setUp() {
    registry = new InMemorySchemaRegistryClient();
    serde = AvroSerde.of(InferenceRequest.class, registry, true, false);
  }

  static InferenceRequest chatRequest(String id) {
    return InferenceRequest.newBuilder()
        .setRequestId(id)
        .setApp("chat")
        .setInput(
            ChatInput.newBuilder()
                .setMessages(
                    List.of(
                        ChatMessage.newBuilder()
                            .setRole(ChatRole.USER)
                            .setContent("Hello, Sluice")
                            .build()))
                .setSampling(SamplingParams.newBuilder().setMaxTokens(16).build())
                .build())
        .setCreatedAtMs(Instant.ofEpochMilli(1_700_000_000_000L))
        .setDeadlineMs(Instant.ofEpochMilli(1_700_000_002_000L))
        .setPriority(Priority.BULK)
        .setAttributes(Map.of("user", "u-42"))
        .build();
  }

  @Test
  void roundTripsAGeneratedRecordInTheConfluentWireFormat() {
    InferenceRequest in = chatRequest("r-1");
    byte[] bytes = serde.serializer().serialize(TOPIC, in);

    assertThat(bytes[0]).isEqualTo((byte) 0);
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    assertThat(registry.getLatest(TOPIC + "-value").id()).isEqualTo(id);
    assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(in);
  }

  @Test
  void registersASchemaOncePerSubject() {
    CountingRegistry counting = new CountingRegistry(registry);
    AvroSerializer<InferenceRequest> ser = new AvroSerializer<>(counting, true, false);
    for (int i = 0; i < 100; i++) {
      ser.serialize(TOPIC, chatRequest("r-" + i));
    }
    assertThat(counting.registrations).isEqualTo(1);
  }

  @Test
  void nullIsATombstoneBothWays() {
    assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
    assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
  }

  @Test
  void wrongMagicByteIsReportedAsSuch() {
    byte[] bytes = serde.serializer().serialize(TOPIC, chatRequest("r"));
    bytes[0] = 7;
    assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bytes))
        .isInstanceOfSatisfying(
            WireFormatException.class,
            e -> assertThat(e.kind()).isEqualTo(WireFormatException.Kind.BAD_MAGIC_BYTE))
        .hasMessageContaining("0x07");
  }

  @Test
  void unknownSchemaIdIsReportedWithTheId() {
    byte[] bytes = serde.serializer().serialize(TOPIC, chatRequest("r"));
    ByteBuffer.wrap(bytes).putInt(1, 4242);
    assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bytes))
        .isInstanceOfSatisfying(
            WireFormatException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(WireFormatException.Kind.UNKNOWN_SCHEMA_ID);
              assertThat(e.schemaId()).isEqualTo(4242);
            });
  }

  @Test
  void truncatedHeaderAndTruncatedBodyAreReportedAsTruncated() {
    byte[] bytes = serde.serializer().serialize(TOPIC, chatRequest("r"));
    for (int len : new int[] {0, 1, 4, 5, 10, bytes.length - 1}) {
      byte[] cut = java.util.Arrays.copyOf(bytes, len);
      assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, cut))
          .as("payload cut to %d bytes", len)
          .isInstanceOfSatisfying(
              WireFormatException.class,
              e -> assertThat(e.kind()).isEqualTo(WireFormatException.Kind.TRUNCATED));
    }
  }

  @Test
  void randomGarbageAfterAValidHeaderOnlyEverThrowsWireFormatException() {
    byte[] good = serde.serializer().serialize(TOPIC, chatRequest("r"));
    Random random = new Random(42);
    int rejected = 0;
    for (int i = 0; i < 2_000; i++) {
      byte[] garbage = new byte[5 + random.nextInt(200)];
      random.nextBytes(garbage);
      System.arraycopy(good, 0, garbage, 0, 5);
      try {
        serde.deserializer().deserialize(TOPIC, garbage);
      } catch (WireFormatException expected) {
        rejected++; // anything else (NPE, OOM, AIOOBE) escapes and fails the test
      }
    }
    assertThat(rejected).as("garbage rejected as WireFormatException").isGreaterThan(1_950);
  }

  @Test
  void aReaderWithANewerCompatibleSchemaReadsOldRecords() {
    byte[] old = serde.serializer().serialize(TOPIC, chatRequest("r-old"));
    Schema newer = withExtraField(InferenceRequest.getClassSchema(), "tenant", "none");

    GenericRecord read =
        new AvroDeserializer<GenericRecord>(registry, newer).deserialize(TOPIC, old);

    assertThat(read.get("requestId").toString()).isEqualTo("r-old");
    assertThat(read.get("tenant").toString()).isEqualTo("none");
  }

  @Test
  void anOldReaderReadsANewerWritersRecords() {
    Schema newer = withExtraField(InferenceRequest.getClassSchema(), "tenant", "none");
    // Register the old one first, so the newer one is checked for compatibility on the way in.
    InferenceRequest template = chatRequest("r-new");
    byte[] asOld = serde.serializer().serialize(TOPIC, template);
    GenericRecord record =
        new AvroDeserializer<GenericRecord>(registry, newer).deserialize(TOPIC, asOld);
    record.put("tenant", "acme");
    byte[] bytes =
        new AvroSerializer<GenericRecord>(registry, true, false).serialize(TOPIC, record);

    InferenceRequest read = serde.deserializer().deserialize(TOPIC, bytes);

    assertThat(registry.versions(TOPIC + "-value")).hasSize(2);
    assertThat(read.getRequestId()).isEqualTo("r-new");
    assertThat(read.getAttributes()).containsEntry("user", "u-42");
    assertThat(read.getInput()).isEqualTo(template.getInput());
  }

  @Test
  void anIncompatibleWriterSchemaIsRejectedOnDecodeNotMisread() {
    Schema unrelated =
        SchemaBuilder.record("InferenceRequest")
            .namespace("io.sluice.avro")
            .fields()
            .requiredInt("requestId")
            .endRecord();
    registry.setCompatibility("other-value", io.sluice.schemas.registry.CompatibilityLevel.NONE);
    GenericRecord r = new GenericData.Record(unrelated);
    r.put("requestId", 5);
    byte[] bytes = new AvroSerializer<GenericRecord>(registry, true, false).serialize("other", r);

    assertThatThrownBy(() -> serde.deserializer().deserialize("other", bytes))
        .isInstanceOfSatisfying(
            WireFormatException.class,
            e -> assertThat(e.kind()).isEqualTo(WireFormatException.Kind.INCOMPATIBLE_SCHEMA));
  }

  @Test
  void serializerWithoutAutoRegisterNeedsTheSchemaRegistered() {
    AvroSerializer<InferenceRequest> strict = new AvroSerializer<>(registry, false, false);
    assertThatThrownBy(() -> strict.serialize(TOPIC, chatRequest("r")))
        .isInstanceOf(RuntimeException.class)
        .isNotInstanceOf(NullPointerException.class);
    registry.register(TOPIC + "-value", InferenceRequest.getClassSchema());
    assertThat(strict.serialize(TOPIC, chatRequest("r"))).isNotEmpty();
  }

  @Test
  void mockUrlsShareOneInMemoryRegistryPerScope() {
    AvroSerde<InferenceRequest> a =
        AvroSerde.of(InferenceRequest.class, SerdeConfig.of("mock://serde-test"), false);
    AvroSerde<InferenceRequest> b =
        AvroSerde.of(InferenceRequest.class, SerdeConfig.of("mock://serde-test"), false);
    byte[] bytes = a.serializer().serialize(TOPIC, chatRequest("shared"));
    assertThat(b.deserializer().deserialize(TOPIC, bytes).getRequestId()).isEqualTo("shared");
    InMemorySchemaRegistryClient.dropScope("serde-test");
  }

  @Test
  void configuredByPropertiesLikeAPlainKafkaClient() {
    AvroSerializer<InferenceRequest> ser = new AvroSerializer<>();
    ser.configure(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, "mock://props"), false);
    AvroDeserializer<GenericRecord> de = new AvroDeserializer<>();
    de.configure(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, "mock://props"), false);
    GenericRecord r = de.deserialize(TOPIC, ser.serialize(TOPIC, chatRequest("p")));
    assertThat(r.get("requestId").toString()).isEqualTo("p");
    InMemorySchemaRegistryClient.dropScope("props");
  }

  @Test
  void missingRegistryUrlFailsWithTheKeyName() {
    assertThatThrownBy(() -> new AvroSerializer<InferenceRequest>().configure(Map.of(), false))
        .hasMessageContaining("schema.registry.url");
  }

  @Test
  void serializationErrorsAreKafkaSerializationExceptions() {
    assertThat(SerializationException.class).isAssignableFrom(WireFormatException.class);
  }

  private static Schema withExtraField(Schema base, String name, String defaultValue) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : base.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(
        new Schema.Field(name, Schema.create(Schema.Type.STRING), "added later", defaultValue));
    return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
  }

  /** Counts registrations reaching the registry behind the serializer's cache. */
  private static final class CountingRegistry extends DelegatingRegistry {
    int registrations;

    CountingRegistry(SchemaRegistryClient delegate) {
      super(delegate);
    }

    @Override
    public int register(String subject, Schema schema) {
      registrations++;
      return super.register(subject, schema);
    }
  }
}
