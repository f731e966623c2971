package io.sluice.devstack.batch;

import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.bridge.batch.BatchLine;
import io.sluice.bridge.batch.BatchLines;
import io.sluice.common.config.ConnectionKeys;
import io.sluice.common.config.SluiceConfig;
import io.sluice.schemas.Replies;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The engine of {@code sluice batch run}: sends each input line as a {@code BULK} {@code
 * InferenceRequest} to its app's request topic, straight to Kafka (no bridge), with at most a
 * window of lines in flight, and appends each line's answer to the output file as it arrives.
 *
 * <p>Replies come back on one partition of a shared reply topic ({@link #DEFAULT_REPLY_TOPIC},
 * created if missing): every request carries {@code replyTo} and {@code replyPartition}, as the
 * bridge's do, and the runner reads only that partition, from its end at start-up. A shared topic
 * rather than one per run, because a per-run topic deleted at the end would be re-created by the
 * broker (auto-create) when the replies of lines still in flight at a Ctrl-C arrive after it is
 * gone, and because creating and deleting topics per run needs rights most clusters do not give a
 * client. Runs that share a partition ignore each other's replies (counted, never written).
 *
 * <p>Request ids are {@code <runId>:<line>}; the first reply per request id is written, repeats are
 * dropped, so the file has exactly one line per custom_id. A line without a reply within the line
 * timeout is not written (a {@code --resume} sends it again).
 */
public final class BatchRunner implements AutoCloseable {
  /** The reply topic runs share unless told otherwise. */
  public static final String DEFAULT_REPLY_TOPIC = "sluice.batch.cli-replies";

  /** Partitions of the reply topic when the runner creates it. */
  static final int REPLY_PARTITIONS = 8;

  /** Replies are kept a day: no run waits longer for a line. */
  static final long REPLY_RETENTION_MS = Duration.ofDays(1).toMillis();

  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);

  /**
   * How a run goes.
   *
   * @param window lines in flight at most
   * @param lineTimeout how long a line waits for its reply (also its request's deadline)
   * @param drain how long a stopped run waits for the replies of lines in flight
   * @param replyTopic the topic replies come back on
   */
  public record Settings(int window, Duration lineTimeout, Duration drain, String replyTopic) {
    public Settings {
      if (window < 1) {
        throw new IllegalArgumentException("--window must be at least 1, not " + window);
      }
      Topics.checkName("reply topic", replyTopic);
    }
  }

  /** How a run ended. */
  public enum Outcome {
    /** Every line has its output line. */
    COMPLETE,
    /** Stopped (Ctrl-C, SIGTERM, {@link #stop}) before every line was answered. */
    STOPPED,
    /** Some lines got no reply within the line timeout, or could not be sent. */
    INCOMPLETE
  }

  /**
   * What a run did.
   *
   * @param outcome how it ended
   * @param sent lines sent by this run
   * @param ok lines this run answered successfully
   * @param failed lines this run answered with an error
   * @param unanswered lines sent without a reply in time (or whose send failed): not written
   * @param duplicates repeated replies dropped
   * @param late replies after their line had given up (dropped)
   * @param sendFailure the first send failure, or null
   */
  public record Result(
      Outcome outcome,
      long sent,
      long ok,
      long failed,
      long unanswered,
      long duplicates,
      long late,
      Exception sendFailure) {}

  private final Settings settings;
  private final Admin admin;
  private final KafkaProducer<String, InferenceRequest> producer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Deserializer<InferenceResponse> responses;
  private final String runId;
  private volatile boolean stopping;
  private volatile long stoppedAtNanos;

  /** Connects to Kafka and the Schema Registry with the shared connection keys. */
  public BatchRunner(SluiceConfig c, Settings settings) {
    this.settings = settings;
    this.runId = "batchrun_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Map<String, Object> client = ConnectionKeys.clientSettings(c);
    SerdeConfig serde = SerdeConfig.from(ConnectionKeys.registrySettings(c));

    Map<String, Object> a = new HashMap<>(client);
    a.put("client.id", "sluice-batch-admin-" + runId);
    admin = Admin.create(a);

    Map<String, Object> p = new HashMap<>(client);
    p.putAll(ConnectionKeys.producerSettings(c));
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-batch-" + runId);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    producer =
        new KafkaProducer<>(
            p,
            new StringSerializer(),
            AvroSerde.of(InferenceRequest.class, serde, false).serializer());

    Map<String, Object> cs = new HashMap<>(client);
    cs.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-batch-replies-" + runId);
    cs.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    cs.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
    consumer = new KafkaConsumer<>(cs, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    responses = AvroSerde.of(InferenceResponse.class, serde, false).deserializer();
  }

  /** This run's id: the prefix of its request ids. */
  public String runId() {
    return runId;
  }

  /** The apps whose request topic exists. */
  public Set<String> knownApps() throws InterruptedException, ExecutionException, TimeoutException {
    return admin.listTopics().names().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).stream()
        .map(Topics::appOfRequestTopic)
        .filter(app -> app != null)
        .collect(Collectors.toSet());
  }

  /**
   * Stops sending; {@link #run} then waits up to the drain time for the lines in flight and
   * returns. Safe from any thread (a shutdown hook).
   */
  public void stop() {
    if (!stopping) {
      stoppedAtNanos = System.nanoTime();
      stopping = true;
    }
  }

  /** The lines of a run: gives each to {@code send} in order until it returns false. */
  @FunctionalInterface
  public interface Lines {
    void forEach(BatchInput.LineSink send) throws IOException;
  }

  /**
   * Where each line's first answer goes (called on the reply reader's thread, in arrival order).
   */
  @FunctionalInterface
  public interface Answers {
    void answered(BatchLine line, InferenceResponse reply) throws IOException;
  }

  /**
   * Sends every line of {@code input} whose custom_id is not in {@code skip}, and appends each
   * answer to {@code out} as an output line (OpenAI's and vLLM's batch output format).
   */
  public Result run(BatchInput input, Set<String> skip, OutputLog out, Progress progress)
      throws Exception {
    return run(
        send -> input.forEach(skip, send),
        (line, reply) -> out.append(BatchLines.outputLine(line.customId(), line.endpoint(), reply)),
        progress);
  }

  /**
   * A reader that left its loop before the wakeup reached it leaves the wakeup pending, and the
   * next run's first consumer call would throw it: consume it here, once the reader has stopped.
   */
  private void clearPendingWakeup() {
    try {
      consumer.poll(Duration.ZERO); // whatever it returns belongs to the run just ended
    } catch (WakeupException e) {
      // the pending wakeup, now spent
    }
  }

  /**
   * Sends {@code lines} and gives each line's first answer to {@code answers}. Blocks until every
   * line is answered or given up, or the run is stopped and its drain time is over. One run at a
   * time per runner.
   */
  public Result run(Lines lines, Answers answers, Progress progress) throws Exception {
    int partition = replyPartition();
    TopicPartition tp = new TopicPartition(settings.replyTopic(), partition);
    consumer.assign(List.of(tp));
    consumer.seekToEnd(List.of(tp));
    consumer.position(tp, KAFKA_TIMEOUT); // resolve now, before any reply can arrive

    Run run = new Run(answers, progress, partition);
    Thread reader = new Thread(run::readReplies, "sluice-batch-replies");
    reader.setDaemon(true);
    reader.start();
    boolean sentAll = false;
    try {
      lines.forEach(run::sendWhenWindowAllows);
      sentAll = !stopping && run.sendFailure.get() == null;
      // Wait for the replies still to come: every permit back means nothing is in flight.
      while (!run.window.tryAcquire(settings.window(), 50, TimeUnit.MILLISECONDS)) {
        run.expire();
        run.checkReader();
        if (stopping && System.nanoTime() - stoppedAtNanos >= settings.drain().toNanos()) {
          break;
        }
      }
    } finally {
      producer.flush();
      run.reading = false;
      consumer.wakeup();
      reader.join(TimeUnit.SECONDS.toMillis(10));
      clearPendingWakeup();
    }
    long left = run.inFlight.size();
    Outcome outcome;
    if (sentAll && left == 0 && run.unanswered.get() == 0) {
      outcome = Outcome.COMPLETE;
    } else if (stopping) {
      outcome = Outcome.STOPPED;
    } else {
      outcome = Outcome.INCOMPLETE;
    }
    return new Result(
        outcome,
        run.sent.get(),
        run.ok.get(),
        run.failed.get(),
        run.unanswered.get() + left,
        run.inFlight.duplicates(),
        run.inFlight.late(),
        run.sendFailure.get());
  }

  /** The state of one {@link #run}, shared by the sending thread, the reply reader and expiry. */
  private final class Run {
    final InFlight inFlight = new InFlight();
    final Semaphore window = new Semaphore(settings.window());
    final AtomicLong ok = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong unanswered = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
    final AtomicReference<Exception> sendFailure = new AtomicReference<>();
    final AtomicReference<Throwable> readerFailure = new AtomicReference<>();
    final Answers answers;
    final Progress progress;
    final int partition;
    volatile boolean reading = true;

    Run(Answers answers, Progress progress, int partition) {
      this.answers = answers;
      this.progress = progress;
      this.partition = partition;
    }

    /** Sends one line once the window has room; false (stop reading) once stopped or failed. */
    boolean sendWhenWindowAllows(BatchLine line) throws IOException {
      while (!stopping && sendFailure.get() == null) {
        expire();
        checkReader();
        boolean got;
        try {
          got = window.tryAcquire(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for the in-flight window", e);
        }
        if (got) {
          send(line);
          return true;
        }
      }
      return false;
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the callback sees every outcome
    void send(BatchLine line) {
      String requestId = BatchLines.requestId(runId, line.line());
      long deadlineMs = System.currentTimeMillis() + settings.lineTimeout().toMillis();
      InferenceRequest req =
          BatchLines.toRequest(line, requestId, settings.replyTopic(), partition, deadlineMs);
      // Wait a little past the deadline: the router answers an expired request with
      // deadline_exceeded, which is an answer worth writing.
      long giveUpAt = System.nanoTime() + settings.lineTimeout().toNanos() + 5_000_000_000L;
      inFlight.add(new InFlight.Sent(line, requestId, giveUpAt));
      progress.inFlight(1);
      ProducerRecord<String, InferenceRequest> rec =
          new ProducerRecord<>(Topics.requests(line.app()), requestId, req);
      Replies.putRequestHeaders(rec.headers(), req);
      producer.send(
          rec,
          (md, e) -> {
            if (e != null) {
              sendFailure.compareAndSet(null, e);
              if (inFlight.abandon(requestId)) {
                unanswered.incrementAndGet();
                leave();
              }
            }
          });
      sent.incrementAndGet();
    }

    void expire() {
      int n = inFlight.expire(System.nanoTime()).size();
      for (int i = 0; i < n; i++) {
        unanswered.incrementAndGet();
        leave();
      }
    }

    private void leave() {
      progress.inFlight(-1);
      window.release();
    }

    void checkReader() {
      Throwable t = readerFailure.get();
      if (t != null) {
        throw new IllegalStateException("the reply reader failed: " + t, t);
      }
    }

    void readReplies() {
      try {
        while (reading) {
          for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(200))) {
            InferenceResponse resp;
            try {
              resp = responses.deserialize(rec.topic(), rec.headers(), rec.value());
            } catch (RuntimeException e) {
              continue; // not a reply of ours (another run's, or garbage): never ours to write
            }
            if (resp == null || !resp.getFinalChunk()) {
              continue;
            }
            InFlight.Sent s = inFlight.complete(resp.getRequestId());
            if (s == null) {
              continue;
            }
            boolean success = BatchLines.succeeded(resp);
            try {
              answers.answered(s.line(), resp);
            } catch (IOException e) {
              throw new UncheckedIOException("cannot write the answer: " + e.getMessage(), e);
            }
            (success ? ok : failed).incrementAndGet();
            progress.answered(success);
            leave();
          }
        }
      } catch (WakeupException e) {
        // run() is done with us
      } catch (RuntimeException e) {
        readerFailure.set(e);
      }
    }
  }

  /**
   * Creates the reply topic if it is missing and picks one of its partitions at random, so that
   * concurrent runs mostly read apart.
   */
  private int replyPartition() throws InterruptedException, ExecutionException, TimeoutException {
    String topic = settings.replyTopic();
    try {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, Optional.of(REPLY_PARTITIONS), Optional.empty())
                      .configs(
                          Map.of(
                              TopicConfig.RETENTION_MS_CONFIG, Long.toString(REPLY_RETENTION_MS)))))
          .all()
          .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
    return ThreadLocalRandom.current().nextInt(describe(topic).partitions().size());
  }

  /**
   * The topic's description, waiting out the moment after its creation when the broker does not
   * know it yet: a create returns once the controller has it, and describing it straight after
   * fails with {@link UnknownTopicOrPartitionException} now and then (25 of 300 tries on the in-JVM
   * broker), and a first run, which creates the reply topic, failed with it.
   */
  private TopicDescription describe(String topic)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + KAFKA_TIMEOUT.toNanos();
    while (true) {
      try {
        return admin
            .describeTopics(List.of(topic))
            .allTopicNames()
            .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .get(topic);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
    consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    admin.close(Duration.ofSeconds(5));
  }
}
