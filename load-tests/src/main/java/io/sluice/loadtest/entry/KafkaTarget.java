package io.sluice.loadtest.entry;

import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.ResponseStatus;
import io.sluice.avro.Timings;
import io.sluice.loadtest.generator.LoadRequest;
import io.sluice.loadtest.generator.Reply;
import io.sluice.loadtest.generator.StageTimes;
import io.sluice.schemas.Replies;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The plain-producer entry path: Avro {@code InferenceRequest}s produced to {@code
 * sluice.requests.<app>} with {@code replyTo} set to a private reply topic, which one consumer
 * reads (assigned, no group) to match replies to requests by id.
 *
 * <p>The record key is the request's stickiness key (or its id when it has none), which is what the
 * router's {@code RECORD_KEY} stickiness hashes.
 */
public final class KafkaTarget implements io.sluice.loadtest.generator.Target {
  private static final int REPLY_PARTITIONS = 3;

  private final String bootstrapServers;
  private final String app;
  private final String replyTopic;
  private final boolean deleteReplyTopic;
  private final Duration deadline;
  private final Admin admin;
  private final KafkaProducer<String, InferenceRequest> producer;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Deserializer<InferenceResponse> responses;
  private final Map<String, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong undecodable = new AtomicLong();
  private final AtomicLong unmatched = new AtomicLong();
  private final Thread replyThread;
  private volatile RuntimeException replyFailure;

  /**
   * Connects, creates the private reply topic and starts reading it.
   *
   * @param bootstrapServers Kafka bootstrap servers
   * @param registryUrl Schema Registry URL ({@code mock://scope} for an in-memory one)
   * @param app the app to call
   * @param deadline deadline put on each request (null for none), so stale ones are dropped
   */
  public static KafkaTarget start(
      String bootstrapServers, String registryUrl, String app, Duration deadline) {
    return new KafkaTarget(bootstrapServers, registryUrl, app, deadline);
  }

  private KafkaTarget(String bootstrapServers, String registryUrl, String app, Duration deadline) {
    this.bootstrapServers = bootstrapServers;
    this.app = Topics.checkName("app", app);
    this.deadline = deadline;
    this.replyTopic = "sluice.loadtest.replies." + UUID.randomUUID().toString().substring(0, 8);
    this.deleteReplyTopic = true;

    Properties a = new Properties();
    a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    a.put(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-loadtest-admin");
    admin = Admin.create(a);
    try {
      admin
          .createTopics(List.of(new NewTopic(replyTopic, REPLY_PARTITIONS, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      admin.close(Duration.ofSeconds(5));
      throw new IllegalStateException(
          "Cannot create reply topic " + replyTopic + " on " + bootstrapServers, e);
    }

    AvroSerde<InferenceRequest> requestSerde =
        AvroSerde.of(InferenceRequest.class, SerdeConfig.of(registryUrl), false);
    responses =
        AvroSerde.of(InferenceResponse.class, SerdeConfig.of(registryUrl), false).deserializer();

    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-loadtest-producer");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
    producer = new KafkaProducer<>(p, new StringSerializer(), requestSerde.serializer());

    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-loadtest-replies");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
    consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    // The topic was just created with REPLY_PARTITIONS: assign them without waiting for metadata.
    List<TopicPartition> parts =
        IntStream.range(0, REPLY_PARTITIONS)
            .mapToObj(i -> new TopicPartition(replyTopic, i))
            .collect(Collectors.toList());
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    parts.forEach(consumer::position); // resolve now, before any reply can arrive
    // Fetch the request topic's metadata now, so the first send does not block on it.
    producer.partitionsFor(Topics.requests(app));

    replyThread = new Thread(this::readReplies, "sluice-loadtest-replies");
    replyThread.setDaemon(true);
    replyThread.start();
  }

  /** The private topic replies come back on. */
  public String replyTopic() {
    return replyTopic;
  }

  /** Replies that could not be decoded (counted, never fatal). */
  public long undecodable() {
    return undecodable.get();
  }

  /** Replies whose request id was not outstanding (late, duplicate or not ours). */
  public long unmatched() {
    return unmatched.get();
  }

  @Override
  @SuppressWarnings("FutureReturnValueIgnored") // false positive: both callbacks see every outcome
  public CompletableFuture<Reply> send(LoadRequest r) {
    if (replyFailure != null) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("the reply reader failed", replyFailure));
    }
    CompletableFuture<Reply> f = new CompletableFuture<>();
    pending.put(r.requestId(), f);
    f.whenComplete((reply, e) -> pending.remove(r.requestId(), f));
    Instant now = Instant.now();
    InferenceRequest req =
        InferenceRequest.newBuilder()
            .setRequestId(r.requestId())
            .setApp(app)
            .setInput(Inputs.avro(r))
            .setCreatedAtMs(now)
            .setDeadlineMs(deadline == null ? null : now.plus(deadline))
            .setPriority(r.priority())
            .setReplyTo(replyTopic)
            .setAttributes(r.key() == null ? Map.of() : Map.of("user", r.key()))
            .build();
    ProducerRecord<String, InferenceRequest> rec =
        new ProducerRecord<>(Topics.requests(app), r.key() == null ? r.requestId() : r.key(), req);
    Replies.putRequestHeaders(rec.headers(), req);
    producer.send(
        rec,
        (md, e) -> {
          if (e != null) {
            f.completeExceptionally(e);
          }
        });
    return f;
  }

  private void readReplies() {
    try {
      while (running.get()) {
        for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(200))) {
          InferenceResponse resp;
          try {
            resp = responses.deserialize(rec.topic(), rec.headers(), rec.value());
          } catch (RuntimeException e) {
            undecodable.incrementAndGet();
            continue;
          }
          if (resp == null || !resp.getFinalChunk()) {
            continue;
          }
          CompletableFuture<Reply> f = pending.get(resp.getRequestId());
          if (f == null) {
            unmatched.incrementAndGet();
            continue;
          }
          f.complete(toReply(resp));
        }
      }
    } catch (WakeupException e) {
      // close() woke us up
    } catch (RuntimeException e) {
      // Without the reply reader no request can complete: fail them all, loudly.
      replyFailure = e;
      pending.values().forEach(f -> f.completeExceptionally(e));
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  static Reply toReply(InferenceResponse resp) {
    String variant = resp.getVariant();
    String deployment = resp.getDeployment();
    Reply reply;
    if (resp.getStatus() == ResponseStatus.OK) {
      reply = Reply.ok(variant, deployment);
    } else {
      String code = resp.getError() == null ? "unknown" : resp.getError().getCode();
      reply = Reply.error(code, variant, deployment);
    }
    Timings t = resp.getTimings();
    if (t != null) {
      reply =
          reply.withStages(
              new StageTimes(
                  t.getCreatedAtMs(),
                  t.getRoutedAtMs(),
                  t.getBatchFlushedAtMs(),
                  t.getStartedAtMs(),
                  t.getFinishedAtMs(),
                  System.currentTimeMillis()));
    }
    if (deployment != null && t != null && t.getBatchFlushedAtMs() != null) {
      // Requests of one micro-batch share its deployment, flush time and start time.
      reply =
          reply.withBatch(deployment + "@" + t.getBatchFlushedAtMs() + "/" + t.getStartedAtMs());
    }
    return reply;
  }

  @Override
  public String describe() {
    return "kafka "
        + bootstrapServers
        + " -> "
        + Topics.requests(app)
        + " (replies on "
        + replyTopic
        + ")";
  }

  @Override
  public void close() {
    running.set(false);
    consumer.wakeup();
    try {
      replyThread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
    pending.values().forEach(f -> f.cancel(false));
    if (deleteReplyTopic) {
      try {
        admin.deleteTopics(List.of(replyTopic)).all().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // Best effort: a leftover private reply topic is harmless.
      }
    }
    admin.close(Duration.ofSeconds(5));
  }
}
