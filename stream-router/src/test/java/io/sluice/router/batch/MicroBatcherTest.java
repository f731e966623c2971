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
