package io.sluice.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.avro.InferenceBatch;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.schemas.registry.InMemorySchemaRegistryClient;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * Coverage-guided fuzzing of the Confluent-wire Avro decoder, the first thing that touches a
 * foreign producer's bytes in the router, the workers and the bridge. For any bytes, decoding as an
 * {@code InferenceRequest}, {@code InferenceBatch} or {@code InferenceResponse} either succeeds or
 * throws {@link WireFormatException} — nothing else — and allocates no more than {@link AvroLimits}
 * allows, however large a length prefix claims to be.
 *
 * <p>Input layout: byte 0 picks the type (bits 0-1) and, with bit 2 set, puts a real header (magic
 * byte and that type's registered schema id) in front of the rest, so the fuzzer spends its time in
 * the Avro body instead of guessing schema ids. Seeds: {@code WireDecoderFuzzTestInputs/} in the
 * test resources. See docs/FUZZING.md.
 */
class WireDecoderFuzzTest {
  /**
   * What one decode may allocate: one string or byte array at the 64 MiB limit, plus an array of 10
   * million references (the collection limit), plus slack for the records themselves.
   */
  private static final long MAX_ALLOCATION =
      64L * 1024 * 1024 + 10_000_000L * 8 + 32L * 1024 * 1024;

  private static final List<Class<? extends SpecificRecord>> TYPES =
      List.of(InferenceRequest.class, InferenceBatch.class, InferenceResponse.class);

  private static final InMemorySchemaRegistryClient REGISTRY =
      InMemorySchemaRegistryClient.forScope("wire-decoder-fuzz");
  private static final int[] IDS = new int[TYPES.size()];
  private static final List<AvroDeserializer<? extends SpecificRecord>> DECODERS;

  static {
    for (int i = 0; i < TYPES.size(); i++) {
      IDS[i] =
          REGISTRY.register(
              "fuzz-" + TYPES.get(i).getSimpleName() + "-value",
              org.apache.avro.specific.SpecificData.get().getSchema(TYPES.get(i)));
    }
    DECODERS =
        TYPES.stream().<AvroDeserializer<? extends SpecificRecord>>map(t -> decoder(t)).toList();
  }

  private static <T extends SpecificRecord> AvroDeserializer<T> decoder(Class<T> type) {
    return new AvroDeserializer<>(REGISTRY, type);
  }

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  @FuzzTest(maxDuration = "15s")
  void decodesOrThrowsWireFormatException(byte[] input) {
    if (input.length == 0) {
      return;
    }
    int selector = input[0] & 0xff;
    int type = (selector & 0x03) % TYPES.size();
    byte[] rest = Arrays.copyOfRange(input, 1, input.length);
    byte[] payload = rest;
    if ((selector & 0x04) != 0) {
      payload =
          ByteBuffer.allocate(5 + rest.length).put((byte) 0).putInt(IDS[type]).put(rest).array();
    }
    long allocated = decode(type, payload);
    if (allocated > MAX_ALLOCATION) {
      // The first decode down a new path loads (and, when fuzzing, instruments) classes on this
      // thread, which counts as allocation: judge the same input again, with the classes loaded.
      allocated = decode(type, payload);
    }
    assertThat(allocated)
        .as(
            "bytes allocated decoding %d bytes as %s",
            payload.length, TYPES.get(type).getSimpleName())
        .isLessThanOrEqualTo(MAX_ALLOCATION);
  }

  /**
   * Decodes, checks the outcome is a value or a WireFormatException, and returns bytes allocated.
   */
  private static long decode(int type, byte[] payload) {
    long thread = Thread.currentThread().getId();
    long before = THREADS.getThreadAllocatedBytes(thread);
    try {
      Object value = DECODERS.get(type).deserialize("sluice.requests.fuzz", payload);
      assertThat(value).isInstanceOf(TYPES.get(type));
    } catch (WireFormatException e) {
      assertThat(e.kind()).isNotNull();
    }
    return THREADS.getThreadAllocatedBytes(thread) - before;
  }
}
