package io.sluice.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.avro.InferenceRequest;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

class FieldOffsetsTest {
  private static final Schema SCHEMA = InferenceRequest.getClassSchema();
  private final Serializer<InferenceRequest> serializer =
      AvroSerde.of(InferenceRequest.class, SerdeConfig.of("mock://field-offsets"), false)
          .serializer();

  @Test
  void eachFieldStartsWhereTheFieldsBeforeItEnd() {
    byte[] wire = serializer.serialize("t", AvroSerdeTest.chatRequest("r-1"));
    assertThat(FieldOffsets.fieldStart(wire, SCHEMA, 0)).isEqualTo(WireFormat.HEADER_SIZE);
    // requestId "r-1": one length byte and three characters.
    assertThat(FieldOffsets.fieldStart(wire, SCHEMA, 1)).isEqualTo(WireFormat.HEADER_SIZE + 4);
    int previous = WireFormat.HEADER_SIZE;
    for (int f = 1; f < SCHEMA.getFields().size(); f++) {
      int start = FieldOffsets.fieldStart(wire, SCHEMA, f);
      assertThat(start).as("field %d", f).isGreaterThan(previous).isLessThan(wire.length);
      previous = start;
    }
    assertThat(FieldOffsets.fieldStart(wire, SCHEMA, SCHEMA.getFields().size())).isEqualTo(-1);
    assertThat(FieldOffsets.fieldStart(wire, SCHEMA, -1)).isEqualTo(-1);
  }

  @Test
  void garbageYieldsMinusOneOrAnOffsetInsideTheRecord() {
    byte[] wire = serializer.serialize("t", AvroSerdeTest.chatRequest("r-2"));
    int last = SCHEMA.getFields().size() - 1;
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      byte[] b = wire.clone();
      int flips = 1 + random.nextInt(4);
      for (int k = 0; k < flips; k++) {
        b[WireFormat.HEADER_SIZE + random.nextInt(b.length - WireFormat.HEADER_SIZE)] =
            (byte) random.nextInt(256);
      }
      if (random.nextBoolean()) {
        b = java.util.Arrays.copyOf(b, WireFormat.HEADER_SIZE + random.nextInt(b.length - 4));
      }
      int start = FieldOffsets.fieldStart(b, SCHEMA, last);
      assertThat(start == -1 || (start >= WireFormat.HEADER_SIZE && start <= b.length))
          .as("offset %d of %d bytes", start, b.length)
          .isTrue();
    }
    assertThat(FieldOffsets.fieldStart(new byte[3], SCHEMA, 1)).isEqualTo(-1);
  }
}
