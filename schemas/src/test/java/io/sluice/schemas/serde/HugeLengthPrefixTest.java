package io.sluice.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.avro.InferenceRequest;
import io.sluice.schemas.registry.InMemorySchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A dozen bytes whose length prefix claims a huge string, byte array or collection must be rejected
 * before anything of that size is allocated, whatever order the JVM initialised Avro in (Avro reads
 * its limit properties once, so a JVM that decoded before {@link AvroLimits} ran keeps Avro's ~2
 * GiB defaults).
 */
class HugeLengthPrefixTest {
  private static final String TOPIC = "sluice.requests.chat";
  private static final long ALLOWED = 16L * 1024 * 1024;

  private static AvroSerde<InferenceRequest> serde;
  private static int schemaId;

  @BeforeAll
  static void initialiseAvroFirst() throws Exception {
    // Decode with plain Avro before any Sluice serde class is loaded, as the dev stack's JVM did.
    byte[] one = new byte[] {0x02, 'x'};
    new SpecificDatumReader<>(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.STRING))
        .read(null, DecoderFactory.get().binaryDecoder(one, null));
    serde = AvroSerde.of(InferenceRequest.class, new InMemorySchemaRegistryClient(), true, false);
    byte[] good = serde.serializer().serialize(TOPIC, AvroSerdeTest.chatRequest("r-1"));
    schemaId = ByteBuffer.wrap(good, 1, 4).getInt();
  }

  /** Confluent header + the Avro varint {@code zigzag(n)}: the requestId string claims n bytes. */
  private static byte[] recordClaiming(long n, byte... tail) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer h = ByteBuffer.allocate(WireFormat.HEADER_SIZE);
    WireFormat.writeHeader(h, schemaId);
    out.writeBytes(h.array());
    try {
      BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(out, null);
      e.writeLong(n);
      e.flush();
    } catch (java.io.IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
    out.writeBytes(tail);
    return out.toByteArray();
  }

  private static long allocatedBy(Runnable r) {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    long before = mx.getThreadAllocatedBytes(id);
    r.run();
    return mx.getThreadAllocatedBytes(id) - before;
  }

  @Test
  void aStringClaimingOneGibibyteIsRejectedWithoutAllocatingIt() {
    byte[] twelve = recordClaiming(1L << 30, (byte) 'a', (byte) 'b');
    assertThat(twelve).hasSizeLessThanOrEqualTo(12);
    long allocated =
        allocatedBy(
            () ->
                assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, twelve))
                    .isInstanceOf(WireFormatException.class));
    assertThat(allocated).as("bytes allocated decoding 12 bytes").isLessThan(ALLOWED);
  }

  @Test
  void aStringClaimingLessThanAvrosLimitButMoreThanTheRecordIsRejectedToo() {
    byte[] record = recordClaiming(60L * 1024 * 1024, (byte) 'a');
    long allocated =
        allocatedBy(
            () ->
                assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, record))
                    .isInstanceOf(WireFormatException.class)
                    .satisfies(
                        e ->
                            assertThat(((WireFormatException) e).kind())
                                .isEqualTo(WireFormatException.Kind.TRUNCATED)));
    assertThat(allocated).isLessThan(ALLOWED);
  }

  @Test
  void aCollectionClaimingMillionsOfItemsIsRejectedWithoutAllocatingThem() {
    // requestId "r", app "a", input = branch 1 (ChatInput), messages: a block of 9,000,000 items.
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try {
      BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(body, null);
      e.writeString("a");
      e.writeIndex(1);
      e.writeLong(9_000_000);
      e.flush();
    } catch (java.io.IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
    byte[] record = recordClaiming(1, concat(new byte[] {'r'}, body.toByteArray()));
    long allocated =
        allocatedBy(
            () ->
                assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, record))
                    .isInstanceOf(WireFormatException.class));
    assertThat(allocated).isLessThan(ALLOWED);
  }

  @Test
  void aValidRecordStillDecodes() {
    byte[] good = serde.serializer().serialize(TOPIC, AvroSerdeTest.chatRequest("r-2"));
    assertThat(serde.deserializer().deserialize(TOPIC, good).getRequestId()).isEqualTo("r-2");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = new byte[a.length + b.length];
    System.arraycopy(a, 0, c, 0, a.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
