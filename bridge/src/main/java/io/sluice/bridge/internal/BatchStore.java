package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.bridge.batch.BatchSettings;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * The batch API's writes and reads of its own topics, all blocking (callers run them off the event
 * loop): files as chunks then a metadata record, their content read back by seeking to the chunks'
 * offsets, job records, and cancel events. Every write waits for {@code acks=all}, bounded by
 * {@code kafka-timeout-ms} per record.
 */
final class BatchStore implements AutoCloseable {
  /** Content chunk size: well below the 1 MiB default record limit. */
  static final int CHUNK_BYTES = 256 * 1024;

  /** Header of a control record on the events topic (its value says what). */
  static final String EVENT_HEADER = "sluice-batch-event";

  private final BatchSettings settings;
  private final long timeoutMs;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> reader;

  BatchStore(
      String bootstrap,
      BatchSettings settings,
      long timeoutMs,
      Map<String, String> overrides,
      Map<String, Object> producerShared) {
    this.settings = settings;
    this.timeoutMs = timeoutMs;
    this.producer =
        new KafkaProducer<>(
            Submitter.producerProperties(
                bootstrap, "sluice-bridge-batch", timeoutMs, overrides, producerShared));
    Properties c = new Properties();
    c.putAll(overrides);
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-bridge-batch-reader");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    this.reader = new KafkaConsumer<>(c);
  }

  /** The partition of the files topic that holds every record of {@code fileId}. */
  synchronized int filePartition(String fileId) {
    int n = reader.partitionsFor(settings.filesTopic(), Duration.ofMillis(timeoutMs)).size();
    return Utils.toPositive(Utils.murmur2(fileId.getBytes(StandardCharsets.UTF_8))) % n;
  }

  /** The partition of the events topic a batch runs on. */
  int eventsPartition(String batchId) {
    return Utils.toPositive(Utils.murmur2(batchId.getBytes(StandardCharsets.UTF_8)))
        % eventsPartitions();
  }

  synchronized int eventsPartitions() {
    return reader.partitionsFor(settings.eventsTopic(), Duration.ofMillis(timeoutMs)).size();
  }

  /** The next offset of an events partition: replies to a job created now come at or after it. */
  synchronized long eventsEnd(int partition) {
    TopicPartition tp = new TopicPartition(settings.eventsTopic(), partition);
    return reader.endOffsets(List.of(tp), Duration.ofMillis(timeoutMs)).get(tp);
  }

  /**
   * Writes a file: its chunks, then its metadata record (which makes it visible), all on one
   * partition. {@code meta} gets {@code sluice.chunks} and {@code sluice.partition}.
   */
  void putFile(String fileId, ObjectNode meta, byte[] content)
      throws ExecutionException, InterruptedException, TimeoutException {
    int partition = filePartition(fileId);
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    int chunks = 0;
    for (int off = 0; off < content.length || chunks == 0; off += CHUNK_BYTES) {
      int len = Math.min(CHUNK_BYTES, content.length - off);
      byte[] chunk = new byte[Math.max(0, len)];
      System.arraycopy(content, off, chunk, 0, chunk.length);
      sent.add(send(settings.filesTopic(), partition, fileId + "/" + chunks, chunk, null));
      chunks++;
    }
    await(sent);
    ObjectNode internal = meta.withObject("sluice");
    internal.put("chunks", chunks);
    internal.put("partition", partition);
    await(List.of(send(settings.filesTopic(), partition, fileId, bytes(meta), null)));
  }

  /** Deletes a file: tombstones for its metadata, then its chunks. */
  void deleteFile(String fileId, int partition, int chunks)
      throws ExecutionException, InterruptedException, TimeoutException {
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    sent.add(send(settings.filesTopic(), partition, fileId, null, null));
    for (int i = 0; i < chunks; i++) {
      sent.add(send(settings.filesTopic(), partition, fileId + "/" + i, null, null));
    }
    await(sent);
  }

  /**
   * A file's content, read back from its chunks' offsets (all on one partition, in order).
   *
   * @param offsets the offset of each chunk, by chunk number
   */
  synchronized byte[] read(int partition, long[] offsets) {
    TopicPartition tp = new TopicPartition(settings.filesTopic(), partition);
    reader.assign(List.of(tp));
    Map<Long, Integer> wanted = new HashMap<>();
    long first = Long.MAX_VALUE;
    for (int i = 0; i < offsets.length; i++) {
      wanted.put(offsets[i], i);
      first = Math.min(first, offsets[i]);
    }
    byte[][] parts = new byte[offsets.length][];
    int found = 0;
    reader.seek(tp, first);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(timeoutMs, 10_000));
    while (found < offsets.length) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("file chunks not readable within the Kafka timeout");
      }
      for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
        Integer i = wanted.get(r.offset());
        if (i != null && parts[i] == null && r.value() != null) {
          parts[i] = r.value();
          found++;
        }
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** Writes a job record (key = batch id). */
  void putJob(ObjectNode job) throws ExecutionException, InterruptedException, TimeoutException {
    await(List.of(send(settings.jobsTopic(), null, job.get("id").asText(), bytes(job), null)));
  }

  /** Writes a control event ({@code cancel}) for a batch to its events partition. */
  void event(String batchId, int partition, String what)
      throws ExecutionException, InterruptedException, TimeoutException {
    RecordHeaders h = new RecordHeaders();
    h.add(EVENT_HEADER, what.getBytes(StandardCharsets.UTF_8));
    await(
        List.of(
            send(
                settings.eventsTopic(),
                partition,
                batchId,
                what.getBytes(StandardCharsets.UTF_8),
                h)));
  }

  private Future<RecordMetadata> send(
      String topic, Integer partition, String key, byte[] value, RecordHeaders headers) {
    return producer.send(new ProducerRecord<>(topic, partition, key, value, headers));
  }

  private void await(List<Future<RecordMetadata>> sent)
      throws ExecutionException, InterruptedException, TimeoutException {
    for (Future<RecordMetadata> f : sent) {
      f.get(timeoutMs * 2, TimeUnit.MILLISECONDS);
    }
  }

  private static byte[] bytes(ObjectNode o) {
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    producer.close(Duration.ofMillis(timeoutMs));
    synchronized (this) {
      reader.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(2)));
    }
  }
}
