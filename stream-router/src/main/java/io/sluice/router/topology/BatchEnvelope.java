package io.sluice.router.topology;

import io.sluice.avro.FlushReason;
import io.sluice.avro.InferenceBatch;
import io.sluice.avro.Priority;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.schemas.serde.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;

/**
 * How many bytes of request encodings fit in one {@code InferenceBatch} record of a deployment
 * without the record exceeding the producer's {@code max.request.size} (= {@code
 * sluice.kafka.max-message-bytes}).
 *
 * <p>Computed, not guessed: the overhead is the size the producer itself checks ({@link
 * AbstractRecords#estimateSizeInBytesUpperBound}: batch header, record framing, key, headers) of a
 * batch record with no requests and every variable-length field at its widest (a 36-character batch
 * id, timestamps and token count of maximal varint length), plus the widest item count of the
 * requests array.
 */
final class BatchEnvelope {
  /** Widest Avro varint of an int (the requests array's block count). */
  private static final int MAX_INT_VARINT = 5;

  private final int maxMessageBytes;
  private final Map<String, Integer> maxBodyByDeployment = new ConcurrentHashMap<>();

  BatchEnvelope(int maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  /** The most bytes the concatenated request encodings of a batch for the deployment may take. */
  int maxBody(String deployment) {
    return maxBodyByDeployment.computeIfAbsent(
        deployment, d -> Math.max(0, maxMessageBytes - overhead(d)));
  }

  /** Bytes of a batch record for the deployment beyond its request encodings. */
  static int overhead(String deployment) {
    InferenceBatch empty =
        InferenceBatch.newBuilder()
            .setBatchId(UUID.randomUUID().toString())
            .setDeployment(deployment)
            .setPriority(Priority.INTERACTIVE)
            .setRequests(List.of())
            .setFirstArrivalMs(Instant.ofEpochMilli(Long.MIN_VALUE))
            .setFlushedAtMs(Instant.ofEpochMilli(Long.MIN_VALUE))
            .setFlushReason(FlushReason.UNKNOWN)
            .setEstimatedTokens(Integer.MIN_VALUE)
            .build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[WireFormat.HEADER_SIZE]);
    try {
      BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(out, null);
      new SpecificDatumWriter<>(InferenceBatch.class).write(empty, e);
      e.flush();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    byte[] key = empty.getBatchId().getBytes(StandardCharsets.UTF_8);
    Header[] headers = {
      new RecordHeader(
          SluiceHeaders.PRIORITY, Priority.INTERACTIVE.name().getBytes(StandardCharsets.UTF_8)),
      // the widest request count: every digit of Integer.MAX_VALUE
      new RecordHeader(
          SluiceHeaders.BATCH_SIZE,
          Integer.toString(Integer.MAX_VALUE).getBytes(StandardCharsets.UTF_8))
    };
    // The empty array is one byte (count 0); a full one is a count and the closing 0.
    return AbstractRecords.estimateSizeInBytesUpperBound(
            RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE, key, out.toByteArray(), headers)
        + MAX_INT_VARINT
        // the record's own length varints grow with the value: at most 3 more bytes below 2 GiB
        + 3;
  }
}
