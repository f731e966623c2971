package io.sluice.router.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.avro.FlushReason;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.Priority;
import io.sluice.testkit.Records;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {
  private final KeyValueStore<String, byte[]> store =
      Stores.keyValueStoreBuilder(
              Stores.inMemoryKeyValueStore("buffer"), Serdes.String(), Serdes.ByteArray())
          .withLoggingDisabled()
          .build();
  private final RecordingSink sink = new RecordingSink();

  MicroBatcherTest() {
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    store.init(context.getStateStoreContext(), store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void restoresOneEntryPerBatchAndTheEarlierOneEntryPerRequestLayout() throws IOException {
    store.put(
        "INTERACTIVE/dep/b1",
        concat(
            request("r1", Priority.INTERACTIVE, null), request("r2", Priority.INTERACTIVE, null)));
    store.put("BULK/dep/b2/000000", concat(request("r3", Priority.BULK, null)));
    store.put("BULK/dep/b2/000001", concat(request("r4", Priority.BULK, null)));

    MicroBatcher batcher = new MicroBatcher(store, sink);
    assertThat(batcher.buffered()).isEqualTo(4);

    batcher.flushDue(2_000);
    assertThat(sink.batches).extracting(EncodedBatch::batchId).containsExactly("b1", "b2");
    assertThat(ids(sink.batches.get(0))).containsExactly("r1", "r2");
    assertThat(ids(sink.batches.get(1))).containsExactly("r3", "r4");
    assertThat(sink.batches.get(1).priority()).isEqualTo(Priority.BULK);
    assertThat(keys()).isEmpty();
  }

  @Test
  void aRequestGivenAsItsBytesAndMetaIsBatchedExactlyAsTheDecodedRequest() throws IOException {
    BatchLimits limits = new BatchLimits(2, 10, null);
    InferenceRequest r1 = request("r1", Priority.INTERACTIVE, 5_000L);
    InferenceRequest r2 = request("r2", Priority.INTERACTIVE, null);
    KeyValueStore<String, byte[]> other =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("other"), Serdes.String(), Serdes.ByteArray())
            .withLoggingDisabled()
            .build();
    other.init(new MockProcessorContext<>().getStateStoreContext(), other);
    RecordingSink bytesSink = new RecordingSink();
    MicroBatcher bytes = new MicroBatcher(other, bytesSink);
    MicroBatcher decoded = new MicroBatcher(store, sink);
    // At an offset into a larger array, as the batcher reads it out of a wire-format record.
    byte[] wire1 = withPrefix(concat(r1));
    byte[] wire2 = withPrefix(concat(r2));

    decoded.add(r1, limits, 1_000);
    bytes.add(RoutedMeta.of(r1), wire1, 5, wire1.length - 5, limits, 1_000, 1_000);
    try (var entries = other.all()) {
      assertThat(entries.next().value).isEqualTo(concat(r1)); // the buffer holds the same bytes
    }
    decoded.add(r2, limits, 1_001);
    bytes.add(RoutedMeta.of(r2), wire2, 5, wire2.length - 5, limits, 1_001, 1_001);
    other.close();

    EncodedBatch viaBytes = bytesSink.batches.get(0);
    EncodedBatch viaDecode = sink.batches.get(0);
    assertThat(viaBytes.requests()).isEqualTo(viaDecode.requests());
    assertThat(ids(viaBytes)).containsExactly("r1", "r2");
    assertThat(viaBytes.estimatedTokens()).isEqualTo(viaDecode.estimatedTokens());
    assertThat(viaBytes.flushReason()).isEqualTo(FlushReason.SIZE);
  }

  @Test
  void routedMetaRoundTripsAndRefusesAnotherSchemaOrGarbage() {
    InferenceRequest r = request("r1", Priority.BULK, 7_000L);
    RoutedMeta meta = RoutedMeta.of(r);
    assertThat(RoutedMeta.fromHeader(meta.toHeader())).isEqualTo(meta);
    assertThat(meta.deadlineMs()).isEqualTo(7_000L);
    assertThat(meta.tokens()).isEqualTo(TokenEstimator.estimate(r));

    byte[] otherSchema = meta.toHeader();
    otherSchema[1] ^= 1; // the fingerprint of some other request schema
    assertThat(RoutedMeta.fromHeader(otherSchema)).isNull();
    byte[] cut = java.util.Arrays.copyOf(meta.toHeader(), meta.toHeader().length - 1);
    assertThat(RoutedMeta.fromHeader(cut)).isNull();
    assertThat(RoutedMeta.fromHeader(null)).isNull();
    assertThat(RoutedMeta.fromHeader(new byte[40])).isNull();
  }

  private static byte[] withPrefix(byte[] body) {
    byte[] wire = new byte[body.length + 5];
    System.arraycopy(body, 0, wire, 5, body.length);
    return wire;
  }

  @Test
  void aRequestThatExpiredWhileBufferedIsCutOutOfItsBatch() throws IOException {
    MicroBatcher batcher = new MicroBatcher(store, sink);
    BatchLimits limits = new BatchLimits(8, 10, null);
    batcher.add(request("r1", Priority.INTERACTIVE, null), limits, 1_000);
    batcher.add(request("r2", Priority.INTERACTIVE, 1_005L), limits, 1_001);
    batcher.add(request("r3", Priority.INTERACTIVE, null), limits, 1_002);
    assertThat(keys()).hasSize(1);

    batcher.flushDue(1_010);
    assertThat(sink.expired).extracting(InferenceRequest::getRequestId).containsExactly("r2");
    EncodedBatch b = sink.batches.get(0);
    assertThat(ids(b)).containsExactly("r1", "r3");
    assertThat(b.size()).isEqualTo(2);
    assertThat(b.flushReason()).isEqualTo(FlushReason.WAIT);
    assertThat(b.estimatedTokens())
        .isEqualTo(2 * TokenEstimator.estimate(request("r1", Priority.INTERACTIVE, null)));
    assertThat(keys()).isEmpty();
  }

  @Test
  void aBulkBatchWaitsBulkMaxWaitMsWhileAnInteractiveOneFlushesAtMaxWaitMs() throws IOException {
    MicroBatcher batcher = new MicroBatcher(store, sink);
    BatchLimits limits = new BatchLimits(8, 5, null, 200);
    batcher.add(request("b1", Priority.BULK, null), limits, 1_000);
    batcher.add(request("i1", Priority.INTERACTIVE, null), limits, 1_000);

    batcher.flushDue(1_005);
    assertThat(sink.batches).hasSize(1);
    assertThat(sink.batches.get(0).priority()).isEqualTo(Priority.INTERACTIVE);
    assertThat(ids(sink.batches.get(0))).containsExactly("i1");

    batcher.add(request("b2", Priority.BULK, null), limits, 1_100);
    batcher.flushDue(1_199);
    assertThat(sink.batches).hasSize(1);
    assertThat(batcher.buffered()).isEqualTo(2);

    batcher.flushDue(1_200); // bulkMaxWaitMs after the batch's FIRST request
    assertThat(sink.batches).hasSize(2);
    EncodedBatch bulk = sink.batches.get(1);
    assertThat(bulk.priority()).isEqualTo(Priority.BULK);
    assertThat(ids(bulk)).containsExactly("b1", "b2");
    assertThat(bulk.flushReason()).isEqualTo(FlushReason.WAIT);
    assertThat(keys()).isEmpty();
  }

  @Test
  void aBatchWaitsMaxWaitMsFromItsFirstRequestsRoutingNotFromItsArrival() throws IOException {
    MicroBatcher batcher = new MicroBatcher(store, sink);
    BatchLimits limits = new BatchLimits(8, 5, null);
    InferenceRequest r = request("i1", Priority.INTERACTIVE, null); // routed at 1_000
    byte[] bytes = concat(r);
    // The hop from the intake took 3 ms: 2 ms of the wait are left.
    batcher.add(RoutedMeta.of(r), bytes, 0, bytes.length, limits, 1_000, 1_003);
    batcher.flushDue(1_004);
    assertThat(sink.batches).isEmpty();
    batcher.flushDue(1_005);
    assertThat(sink.batches).hasSize(1);
    assertThat(sink.batches.get(0).firstArrivalMs()).isEqualTo(1_003);

    // A decoded request's own routedAtMs counts the same way.
    batcher.add(request("i2", Priority.INTERACTIVE, null), limits, 1_004);
    batcher.flushDue(1_005);
    assertThat(sink.batches).hasSize(2);

    // Routed "later" than it arrived (another instance's clock ahead): the whole wait, from now.
    batcher.add(RoutedMeta.of(r), bytes, 0, bytes.length, limits, 2_050, 2_000);
    batcher.flushDue(2_004);
    assertThat(sink.batches).hasSize(2);
    batcher.flushDue(2_005);
    assertThat(sink.batches).hasSize(3);
  }

  @Test
  void aBulkBatchStillFlushesAtMaxBatchSizeBeforeItsWaitIsUp() throws IOException {
    MicroBatcher batcher = new MicroBatcher(store, sink);
    BatchLimits limits = new BatchLimits(3, 5, null, 60_000);
    batcher.add(request("b1", Priority.BULK, null), limits, 1_000);
    batcher.add(request("b2", Priority.BULK, null), limits, 1_010);
    batcher.flushDue(1_020);
    assertThat(sink.batches).isEmpty();

    batcher.add(request("b3", Priority.BULK, null), limits, 1_030);
    assertThat(sink.batches).hasSize(1);
    assertThat(ids(sink.batches.get(0))).containsExactly("b1", "b2", "b3");
    assertThat(sink.batches.get(0).flushReason()).isEqualTo(FlushReason.SIZE);
    assertThat(batcher.buffered()).isZero();
  }

  @Test
  void withMaxWaitMsZeroBulkStillWaitsUnlessBulkMaxWaitMsIsZeroToo() throws IOException {
    MicroBatcher batcher = new MicroBatcher(store, sink);
    BatchLimits byDefault = new BatchLimits(8, 0, null);
    batcher.add(request("i1", Priority.INTERACTIVE, null), byDefault, 1_000);
    batcher.add(request("b1", Priority.BULK, null), byDefault, 1_000);
    assertThat(sink.batches)
        .extracting(EncodedBatch::flushReason)
        .containsExactly(FlushReason.IMMEDIATE);
    assertThat(sink.batches.get(0).priority()).isEqualTo(Priority.INTERACTIVE);
    batcher.flushDue(1_099);
    assertThat(sink.batches).hasSize(1);
    batcher.flushDue(1_100);
    assertThat(sink.batches).hasSize(2);
    assertThat(ids(sink.batches.get(1))).containsExactly("b1");

    batcher.add(request("b2", Priority.BULK, null), new BatchLimits(8, 0, null, 0), 2_000);
    assertThat(sink.batches).hasSize(3);
    assertThat(sink.batches.get(2).flushReason()).isEqualTo(FlushReason.IMMEDIATE);
    assertThat(ids(sink.batches.get(2))).containsExactly("b2");
  }

  private List<String> keys() {
    List<String> keys = new ArrayList<>();
    store.all().forEachRemaining(kv -> keys.add(kv.key));
    return keys;
  }

  private static InferenceRequest request(String id, Priority priority, Long deadlineMs) {
    return Records.chat("chat", id, "hello there")
        .setPriority(priority)
        .setDeployment("dep")
        .setVariant("a")
        .setRoutedAtMs(Instant.ofEpochMilli(1_000))
        .setDeadlineMs(deadlineMs == null ? null : Instant.ofEpochMilli(deadlineMs))
        .build();
  }

  private static byte[] concat(InferenceRequest... requests) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    SpecificDatumWriter<InferenceRequest> writer =
        new SpecificDatumWriter<>(InferenceRequest.class);
    for (InferenceRequest r : requests) {
      writer.write(r, encoder);
    }
    encoder.flush();
    return out.toByteArray();
  }

  private static List<String> ids(EncodedBatch b) throws IOException {
    BinaryDecoder d = DecoderFactory.get().binaryDecoder(b.requests(), null);
    SpecificDatumReader<InferenceRequest> reader =
        new SpecificDatumReader<>(InferenceRequest.class);
    List<String> ids = new ArrayList<>();
    while (!d.isEnd()) {
      ids.add(reader.read(null, d).getRequestId());
    }
    return ids;
  }

  private static final class RecordingSink implements MicroBatcher.Sink {
    final List<EncodedBatch> batches = new ArrayList<>();
    final List<InferenceRequest> expired = new ArrayList<>();

    @Override
    public void batch(EncodedBatch batch) {
      batches.add(batch);
    }

    @Override
    public void expired(InferenceRequest request, long nowMs) {
      expired.add(request);
    }

    final List<InferenceRequest> tooLarge = new ArrayList<>();

    @Override
    public void tooLarge(InferenceRequest request, int encodedBytes, int maxBytes, long nowMs) {
      tooLarge.add(request);
    }
  }
}
