package io.sluice.testkit;

import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.schemas.Replies;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fake function worker, NOT Sluice's: one thread reads request topics ({@code
 * sluice.requests.<app>}, no router) and writes what {@link Answer} makes of each request to that
 * request's reply topic and partition, as a real worker would. The answer may complete later on
 * another thread (e.g. after an HTTP call), and may be several chunks or none.
 *
 * <pre>{@code
 * try (FakeWorker echo =
 *     FakeWorker.start(consumerProps, producerProps, registryUrl, List.of(Topics.requests("chat")),
 *         rec -> FakeWorker.now(Records.ok(rec.value()).setOutput(out).build()))) { ... }
 * }</pre>
 *
 * <p>A reply the broker refuses is counted ({@link #failedReplies()}) and logged, never dropped in
 * silence.
 */
public final class FakeWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FakeWorker.class);

  /** Makes the replies to one request record (none, one, or streamed chunks). */
  @FunctionalInterface
  public interface Answer {
    CompletionStage<List<InferenceResponse>> answer(ConsumerRecord<String, InferenceRequest> rec);
  }

  private final KafkaConsumer<String, InferenceRequest> consumer;
  private final KafkaProducer<String, InferenceResponse> producer;
  private final Answer answer;
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong failedReplies = new AtomicLong();
  private PollLoop<String, InferenceRequest> loop;
  private volatile boolean assigned;

  private FakeWorker(
      Properties consumerProps,
      Properties producerProps,
      String registryUrl,
      Collection<String> topics,
      Answer answer) {
    this.answer = answer;
    consumer =
        new KafkaConsumer<>(
            consumerProps,
            new StringDeserializer(),
            AvroSerde.of(InferenceRequest.class, SerdeConfig.of(registryUrl), false)
                .deserializer());
    producer =
        new KafkaProducer<>(
            producerProps,
            new StringSerializer(),
            AvroSerde.of(InferenceResponse.class, SerdeConfig.of(registryUrl), false).serializer());
    consumer.subscribe(List.copyOf(topics));
  }

  /**
   * Starts reading {@code topics}. The properties need at least {@code bootstrap.servers} (and the
   * consumer's {@code group.id}); the serdes are set here.
   */
  public static FakeWorker start(
      Properties consumerProps,
      Properties producerProps,
      String registryUrl,
      Collection<String> topics,
      Answer answer) {
    FakeWorker w = new FakeWorker(consumerProps, producerProps, registryUrl, topics, answer);
    w.loop = PollLoop.start("fake-worker", w.consumer, c -> w.step());
    return w;
  }

  /** Consumer settings for a fake worker in group {@code groupId}. */
  public static Properties consumerProps(String bootstrapServers, String groupId, String reset) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset);
    return c;
  }

  /** Producer settings for a fake worker's replies, sent after {@code lingerMs}. */
  public static Properties producerProps(String bootstrapServers, int lingerMs) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
    return p;
  }

  /** An answer that is ready now: one reply. */
  public static CompletionStage<List<InferenceResponse>> now(InferenceResponse reply) {
    return CompletableFuture.completedFuture(List.of(reply));
  }

  /** Requests answered so far (each counted once its replies were handed to the producer). */
  public long answered() {
    return answered.get();
  }

  /** Replies the broker refused. */
  public long failedReplies() {
    return failedReplies.get();
  }

  /** True once the consumer has partitions, so a request sent now is not missed. */
  public boolean assigned() {
    return assigned;
  }

  private void step() {
    for (ConsumerRecord<String, InferenceRequest> rec : consumer.poll(Duration.ofMillis(50))) {
      InferenceRequest req = rec.value();
      answer
          .answer(rec)
          .whenComplete(
              (replies, e) -> {
                if (e != null) {
                  log.warn("no answer to {}: {}", req.getRequestId(), e.toString());
                } else {
                  replies.forEach(r -> reply(req, r));
                  answered.incrementAndGet();
                }
              });
    }
    assigned = !consumer.assignment().isEmpty();
  }

  @SuppressWarnings("FutureReturnValueIgnored") // false positive: the callback counts every failure
  private void reply(InferenceRequest req, InferenceResponse r) {
    producer.send(
        new ProducerRecord<>(
            Replies.topicFor(req), Replies.partitionFor(req), req.getRequestId(), r),
        (md, e) -> {
          if (e != null) {
            failedReplies.incrementAndGet();
            log.warn("reply to {} failed: {}", req.getRequestId(), e.toString());
          }
        });
  }

  @Override
  public void close() {
    loop.close();
    producer.close(Duration.ofSeconds(5));
  }
}
