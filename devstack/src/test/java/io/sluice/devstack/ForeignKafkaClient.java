package io.sluice.devstack;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.avro.DeadLetter;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.schemas.serde.AvroDeserializer;
import io.sluice.schemas.serde.SchemaRegistries;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What a client that no one here wrote sees of Sluice over Kafka: a plain byte producer that writes
 * Confluent-wire-format records with the schema id it looked up in the registry's REST API, and a
 * reader of every reply, dead-letter and internal topic that files each record under the request
 * ids it names (record key, {@code sluice-request-id} header, and the dead letter's own fields).
 */
final class ForeignKafkaClient implements AutoCloseable {
  /** Where one record that names a request id was seen. */
  record Seen(String topic, int partition, String kind, String detail) {}

  /** Topics read: replies (the test's and the apps'), dead letters, and what must stay clean. */
  private static final Pattern WATCHED =
      Pattern.compile(
          "catalogue\\..*|sluice\\.responses\\..*|sluice\\.dlq\\..*|sluice\\.routes"
              + "|sluice\\.batches\\..*|sluice\\.requests\\..*");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String registryUrl;
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final AvroDeserializer<InferenceResponse> responses;
  private final AvroDeserializer<DeadLetter> deadLetters;
  private final AvroDeserializer<InferenceRequest> requests;
  private final Map<String, List<Seen>> seen = new ConcurrentHashMap<>();
  private final Map<String, InferenceRequest> requestsSeen = new ConcurrentHashMap<>();
  private final Thread reader;
  private volatile boolean running = true;
  private volatile Throwable readerFailure;

  ForeignKafkaClient(String bootstrapServers, String registryUrl) {
    this.registryUrl = registryUrl;
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    // A foreign client may allow itself bigger records than Sluice does: the broker decides.
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(4 * 1024 * 1024));
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    producer = new KafkaProducer<>(p);

    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(8 * 1024 * 1024));
    c.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(16 * 1024 * 1024));
    consumer = new KafkaConsumer<>(c);

    var registry = SchemaRegistries.forUrl(registryUrl, null);
    responses = new AvroDeserializer<>(registry, InferenceResponse.class);
    deadLetters = new AvroDeserializer<>(registry, DeadLetter.class);
    requests = new AvroDeserializer<>(registry, InferenceRequest.class);
    reader = new Thread(this::readLoop, "catalogue-reader");
    reader.setDaemon(true);
    reader.start();
  }

  // ---- writing, as a foreign client ------------------------------------------------------

  /** The id the registry gave the latest schema of a subject (what a Confluent client uses). */
  int schemaIdOf(String subject) {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(registryUrl + "/subjects/" + subject + "/versions/latest"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(
            "registry answered " + r.statusCode() + " for " + subject + ": " + r.body());
      }
      return JSON.readTree(r.body()).path("id").asInt();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Magic byte, schema id, then the Avro binary body of the request. */
  static byte[] wire(int schemaId, InferenceRequest request) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(ByteBuffer.allocate(5).put((byte) 0).putInt(schemaId).array());
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
      new SpecificDatumWriter<>(InferenceRequest.class).write(request, enc);
      enc.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes raw bytes keyed by the request id, with the headers a tool would set (so the router can
   * answer even a record it cannot decode).
   */
  Future<RecordMetadata> send(String topic, String requestId, byte[] value, String replyTo) {
    RecordHeaders h = new RecordHeaders();
    SluiceHeaders.put(h, SluiceHeaders.REQUEST_ID, requestId);
    SluiceHeaders.put(h, SluiceHeaders.REPLY_TO, replyTo);
    Future<RecordMetadata> f =
        producer.send(
            new ProducerRecord<>(
                topic, null, requestId.getBytes(StandardCharsets.UTF_8), value, h));
    producer.flush();
    return f;
  }

  /** Writes to one partition without flushing (call {@link #flush()}): one batch window. */
  Future<RecordMetadata> sendTo(String topic, int partition, String requestId, byte[] value) {
    RecordHeaders h = new RecordHeaders();
    SluiceHeaders.put(h, SluiceHeaders.REQUEST_ID, requestId);
    return producer.send(
        new ProducerRecord<>(
            topic, partition, requestId.getBytes(StandardCharsets.UTF_8), value, h));
  }

  /** Writes one record as given, and flushes. */
  void sendRecord(ProducerRecord<byte[], byte[]> record) throws Exception {
    producer.send(record).get(20, java.util.concurrent.TimeUnit.SECONDS);
  }

  void flush() {
    producer.flush();
  }

  // ---- reading ---------------------------------------------------------------------------

  /** Everything seen so far that names this request id. */
  List<Seen> seenFor(String requestId) {
    if (readerFailure != null) {
      throw new IllegalStateException("the catalogue's reader died", readerFailure);
    }
    return List.copyOf(seen.getOrDefault(requestId, List.of()));
  }

  /** A reply (any status) or a dead letter naming this request id. */
  List<Seen> answersFor(String requestId) {
    return seenFor(requestId).stream()
        .filter(s -> s.kind().equals("reply") || s.kind().equals("dead-letter"))
        .toList();
  }

  /** The request as it was written to its request topic (by the bridge, say), or null. */
  InferenceRequest requestAsWritten(String requestId) {
    return requestsSeen.get(requestId);
  }

  private void readLoop() {
    Set<TopicPartition> assigned = new HashSet<>();
    long nextRefresh = 0;
    try {
      while (running) {
        if (System.currentTimeMillis() >= nextRefresh) {
          // Assign, not subscribe: no group to join, and topics created later (a reply topic the
          // broker auto-creates) are picked up within a second, read from their start.
          List<TopicPartition> fresh = new ArrayList<>();
          for (Map.Entry<String, List<PartitionInfo>> t :
              consumer.listTopics(Duration.ofSeconds(5)).entrySet()) {
            if (WATCHED.matcher(t.getKey()).matches()) {
              for (PartitionInfo pi : t.getValue()) {
                TopicPartition tp = new TopicPartition(pi.topic(), pi.partition());
                if (assigned.add(tp)) {
                  fresh.add(tp);
                }
              }
            }
          }
          if (!fresh.isEmpty()) {
            consumer.assign(assigned);
            consumer.seekToBeginning(fresh);
          }
          nextRefresh = System.currentTimeMillis() + 1000;
        }
        if (assigned.isEmpty()) {
          Thread.sleep(100);
          continue;
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          file(r);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (org.apache.kafka.common.errors.InterruptException
        | org.apache.kafka.common.errors.WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      if (running) {
        readerFailure = e;
      }
    }
  }

  private void file(ConsumerRecord<byte[], byte[]> r) {
    String topic = r.topic();
    Set<String> ids = new HashSet<>();
    if (r.key() != null) {
      ids.add(new String(r.key(), StandardCharsets.UTF_8));
    }
    String header = SluiceHeaders.get(r.headers(), SluiceHeaders.REQUEST_ID);
    if (header != null) {
      ids.add(header);
    }
    String kind;
    String detail = "";
    if (topic.startsWith("sluice.dlq.")) {
      kind = "dead-letter";
      detail = SluiceHeaders.get(r.headers(), SluiceHeaders.ERROR_CODE);
      try {
        DeadLetter dl = deadLetters.deserialize(topic, r.value());
        if (dl != null) {
          detail = dl.getErrorCode() + ": " + dl.getReason();
          if (dl.getRequestId() != null) {
            ids.add(dl.getRequestId());
          }
          if (dl.getOriginalKey() != null) {
            ids.add(StandardCharsets.UTF_8.decode(dl.getOriginalKey().duplicate()).toString());
          }
          ByteBuffer h = dl.getOriginalHeaders().get(SluiceHeaders.REQUEST_ID);
          if (h != null) {
            ids.add(StandardCharsets.UTF_8.decode(h.duplicate()).toString());
          }
        }
      } catch (RuntimeException e) {
        detail = "undecodable dead letter: " + e;
      }
    } else if (topic.startsWith("sluice.requests.")) {
      kind = "request";
      // Only what the bridge wrote is decoded: this topic also holds the garbage this test sends
      // (ids "cat-..."), and decoding that here would test this reader instead of Sluice.
      boolean ours = ids.stream().anyMatch(id -> id.startsWith("cat-"));
      if (!ours && r.value() != null && r.value().length < 256 * 1024) {
        try {
          InferenceRequest req = requests.deserialize(topic, r.value());
          if (req != null) {
            requestsSeen.put(req.getRequestId(), req);
            ids.add(req.getRequestId());
          }
        } catch (RuntimeException e) {
          detail = "undecodable: " + e.getMessage();
        }
      }
    } else if (topic.equals("sluice.routes") || topic.startsWith("sluice.batches.")) {
      kind = "internal";
    } else {
      kind = "other";
      try {
        InferenceResponse resp = responses.deserialize(topic, r.value());
        if (resp != null) {
          kind = "reply";
          detail =
              resp.getStatus()
                  + (resp.getError() == null
                      ? ""
                      : " " + resp.getError().getCode() + ": " + resp.getError().getMessage());
          ids.add(resp.getRequestId());
        }
      } catch (RuntimeException e) {
        detail = "not an InferenceResponse: " + e.getMessage();
      }
    }
    Seen s = new Seen(topic, r.partition(), kind, detail);
    for (String id : ids) {
      seen.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(s);
    }
  }

  @Override
  public void close() {
    running = false;
    try {
      reader.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumer.close();
    producer.close(Duration.ofSeconds(2));
  }
}
