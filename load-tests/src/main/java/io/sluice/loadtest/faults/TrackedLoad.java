package io.sluice.loadtest.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.avro.ChatInput;
import io.sluice.avro.ChatMessage;
import io.sluice.avro.ChatRole;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonInput;
import io.sluice.avro.ResponseStatus;
import io.sluice.avro.SamplingParams;
import io.sluice.schemas.Replies;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A tracked open-loop load: request {@code k} is due at {@code start + k / rate} whatever happened
 * to earlier ones, alternating between the Kafka path (a producer to the app's request topic,
 * replies on a private topic) and the HTTP path (asynchronous calls to the bridges, round robin,
 * results long-polled from any bridge), and between the apps. Every request is a {@link Tracked};
 * nothing is dropped or retried behind the ledger's back. A call whose bridge cannot be reached
 * (connection refused or reset before any answer) goes to the next bridge, as a client behind a
 * load balancer would; if none answers it is not accepted.
 */
final class TrackedLoad implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int LONG_POLL_SECONDS = 5;

  private final List<String> apps;
  private final List<String> bridges;
  private final double rate;
  private final double httpFraction;
  private final Duration deadline;
  private final List<Tracked> all = new ArrayList<>();
  private final Map<String, Tracked> byId = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> bridgeReplies = new ConcurrentHashMap<>();
  private final AtomicLong unmatchedReplies = new AtomicLong();
  private final ConcurrentLinkedQueue<Throwable> readerFailures = new ConcurrentLinkedQueue<>();
  private final KafkaProducer<String, InferenceRequest> producer;
  private final List<Reader> readers = new ArrayList<>();
  private final HttpClient http;
  private final ScheduledExecutorService retries =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "faults-http-retry");
            t.setDaemon(true);
            return t;
          });
  private final String replyTopic;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicInteger nextBridge = new AtomicInteger();
  private Thread sender;
  private volatile long startNanos;

  TrackedLoad(
      String bootstrap,
      String registryUrl,
      String replyTopic,
      String bridgeReplyTopic,
      List<String> apps,
      List<String> bridges,
      double rate,
      double httpFraction,
      Duration deadline) {
    this.apps = List.copyOf(apps);
    this.bridges = List.copyOf(bridges);
    this.rate = rate;
    this.httpFraction = bridges.isEmpty() ? 0 : httpFraction;
    this.deadline = deadline;
    this.replyTopic = replyTopic;
    SerdeConfig serde = SerdeConfig.of(registryUrl);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "faults-producer");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    producer =
        new KafkaProducer<>(
            p,
            new StringSerializer(),
            AvroSerde.of(InferenceRequest.class, serde, false).serializer());
    Deserializer<InferenceResponse> responses =
        AvroSerde.of(InferenceResponse.class, serde, false).deserializer();
    readers.add(new Reader(bootstrap, replyTopic, responses, this::onKafkaReply));
    if (!bridges.isEmpty()) {
      readers.add(new Reader(bootstrap, bridgeReplyTopic, responses, this::onBridgeReply));
    }
    http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    apps.forEach(a -> producer.partitionsFor(Topics.requests(a)));
  }

  /** Starts sending; requests' intended times count from now. */
  void start() {
    startNanos = System.nanoTime();
    running.set(true);
    sender = new Thread(this::sendLoop, "faults-sender");
    sender.setDaemon(true);
    sender.start();
  }

  long startNanos() {
    return startNanos;
  }

  /** Stops sending new requests (those in flight go on). */
  void stopSending() throws InterruptedException {
    running.set(false);
    if (sender != null) {
      sender.join(10_000);
    }
  }

  synchronized List<Tracked> requests() {
    return List.copyOf(all);
  }

  /** Accepted requests not answered yet. */
  long outstanding() {
    return requests().stream().filter(t -> t.accepted() && !t.answered()).count();
  }

  /** Requests sent but neither accepted nor refused yet. */
  long undecided() {
    return requests().stream().filter(t -> !t.accepted() && t.notAccepted == null).count();
  }

  long unmatchedReplies() {
    return unmatchedReplies.get();
  }

  List<Throwable> readerFailures() {
    return List.copyOf(readerFailures);
  }

  private void sendLoop() {
    long k = 0;
    double httpCredit = 0;
    while (running.get()) {
      long due = startNanos + (long) (k * 1e9 / rate);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
        continue;
      }
      String app = apps.get((int) (k % apps.size()));
      httpCredit += httpFraction;
      boolean viaHttp = httpCredit >= 1;
      if (viaHttp) {
        httpCredit -= 1;
      }
      Tracked t =
          new Tracked(
              String.format("f-%06d", k),
              viaHttp ? Tracked.Path.HTTP : Tracked.Path.KAFKA,
              app,
              due);
      synchronized (this) {
        all.add(t);
      }
      try {
        if (viaHttp) {
          post(t, 0);
        } else {
          produce(t);
        }
      } catch (RuntimeException e) {
        t.notAccepted = "send_failed:" + e.getClass().getSimpleName();
      }
      k++;
    }
  }

  @SuppressWarnings(
      "FutureReturnValueIgnored") // false positive: the callback records every outcome
  private void produce(Tracked t) {
    byId.put(t.id, t);
    Instant now = Instant.now();
    InferenceRequest req =
        InferenceRequest.newBuilder()
            .setRequestId(t.id)
            .setApp(t.app)
            .setInput(input(t.app))
            .setCreatedAtMs(now)
            .setDeadlineMs(now.plus(deadline))
            .setReplyTo(replyTopic)
            .build();
    ProducerRecord<String, InferenceRequest> rec =
        new ProducerRecord<>(Topics.requests(t.app), t.id, req);
    Replies.putRequestHeaders(rec.headers(), req);
    producer.send(
        rec,
        (md, e) -> {
          if (e == null) {
            t.acceptedNanos = System.nanoTime();
          } else {
            t.notAccepted = "send_failed:" + e.getClass().getSimpleName();
          }
        });
  }

  private static Object input(String app) {
    if (app.startsWith("chat")) {
      return ChatInput.newBuilder()
          .setMessages(
              List.of(
                  ChatMessage.newBuilder()
                      .setRole(ChatRole.USER)
                      .setContent("hello from the fault suite")
                      .setName(null)
                      .build()))
          .setSampling(SamplingParams.newBuilder().setMaxTokens(8).build())
          .build();
    }
    return JsonInput.newBuilder().setJson("{\"text\": \"I love how fast this is\"}").build();
  }

  private static String httpBody(String app) {
    if (app.startsWith("chat")) {
      return "{\"messages\": [{\"role\": \"user\", \"content\": \"hello from the fault suite\"}],"
          + " \"sampling\": {\"max_tokens\": 8}}";
    }
    return "{\"input\": {\"text\": \"I love how fast this is\"}}";
  }

  /** POSTs to the next bridge; a bridge that cannot be reached hands the call to the next. */
  private void post(Tracked t, int tried) {
    post(t, tried, Math.floorMod(nextBridge.getAndIncrement(), bridges.size()));
  }

  @SuppressWarnings(
      "FutureReturnValueIgnored") // false positive: whenComplete handles every outcome
  private void post(Tracked t, int tried, int index) {
    String bridge = bridges.get(index);
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(bridge + "/v1/apps/" + t.app + "/infer"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .header("Prefer", "respond-async")
            .POST(HttpRequest.BodyPublishers.ofString(httpBody(t.app)))
            .build();
    http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
        .whenComplete(
            (resp, e) -> {
              if (e != null) {
                if (tried + 1 < bridges.size() && isConnectionFailure(e)) {
                  post(t, tried + 1, (index + 1) % bridges.size()); // the next, not the same
                } else {
                  t.notAccepted = "http_unreachable:" + rootName(e);
                }
                return;
              }
              if (resp.statusCode() != 202) {
                t.notAccepted = "http_" + resp.statusCode();
                return;
              }
              String id = requestIdOf(resp.body());
              if (id == null) {
                t.notAccepted = "http_202_without_request_id";
                return;
              }
              t.bridgeRequestId = id;
              byId.put(id, t);
              t.acceptedNanos = System.nanoTime();
              poll(t, index);
            });
  }

  /**
   * Long-polls the result from the bridge that accepted the call (as a client following the 202's
   * link would), moving on to the next bridge only when that one cannot be reached or fails.
   */
  @SuppressWarnings(
      "FutureReturnValueIgnored") // false positive: whenComplete handles every outcome
  private void poll(Tracked t, int index) {
    if (t.answered()) {
      return;
    }
    String bridge = bridges.get(index);
    HttpRequest get =
        HttpRequest.newBuilder(URI.create(bridge + "/v1/requests/" + t.bridgeRequestId))
            .timeout(Duration.ofSeconds(LONG_POLL_SECONDS + 10))
            .header("Prefer", "wait=" + LONG_POLL_SECONDS)
            .GET()
            .build();
    http.sendAsync(get, HttpResponse.BodyHandlers.ofString())
        .whenComplete(
            (resp, e) -> {
              if (e != null || resp.statusCode() == 202 || resp.statusCode() >= 500) {
                // Not there yet: ask the same bridge again; that bridge is gone or failing: the
                // next one, after a short pause.
                boolean failed = e != null || resp.statusCode() >= 500;
                int next = failed ? (index + 1) % bridges.size() : index;
                if (!closed) {
                  retries.schedule(() -> poll(t, next), failed ? 100 : 0, TimeUnit.MILLISECONDS);
                }
                return;
              }
              JsonNode n = parse(resp.body());
              String status = n == null ? null : n.path("status").asText(null);
              if (resp.statusCode() == 200 && "OK".equals(status)) {
                answer(t, null);
              } else {
                String code = n == null ? null : n.path("error").path("code").asText(null);
                answer(t, "http_" + resp.statusCode() + (code == null ? "" : ":" + code));
              }
            });
  }

  // Polls go on until close(), also after sending stopped (a poll that came back between the two
  // once went unrepeated, and its call counted as lost).
  private volatile boolean closed;

  private static boolean isConnectionFailure(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof java.net.ConnectException
          || c instanceof java.net.http.HttpConnectTimeoutException
          || (c instanceof IOException && !(c instanceof java.net.http.HttpTimeoutException))) {
        return true;
      }
    }
    return false;
  }

  private static String rootName(Throwable e) {
    Throwable c = e;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getClass().getSimpleName();
  }

  private static String requestIdOf(String body) {
    JsonNode n = parse(body);
    return n == null || !n.hasNonNull("requestId") ? null : n.get("requestId").asText();
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body == null ? "" : body);
    } catch (IOException e) {
      return null;
    }
  }

  private static synchronized void answer(Tracked t, String errorCode) {
    if (t.answered()) {
      return;
    }
    t.errorCode = errorCode;
    t.answeredNanos = System.nanoTime();
  }

  private void onKafkaReply(InferenceResponse r) {
    Tracked t = byId.get(r.getRequestId());
    if (t == null) {
      unmatchedReplies.incrementAndGet();
      return;
    }
    t.replies.incrementAndGet();
    answer(
        t,
        r.getStatus() == ResponseStatus.OK
            ? null
            : (r.getError() == null ? "unknown" : r.getError().getCode()));
  }

  private void onBridgeReply(InferenceResponse r) {
    // Counted by the bridge's request id: the 202 naming it may not have arrived yet.
    bridgeReplies.computeIfAbsent(r.getRequestId(), id -> new AtomicInteger()).incrementAndGet();
  }

  /** Replies to an HTTP call seen on the bridges' reply topic. */
  int bridgeRepliesOf(Tracked t) {
    AtomicInteger n = t.bridgeRequestId == null ? null : bridgeReplies.get(t.bridgeRequestId);
    return n == null ? 0 : n.get();
  }

  /** Replies to a request seen on Kafka, whatever its path. */
  int repliesOf(Tracked t) {
    return t.path == Tracked.Path.KAFKA ? t.replies.get() : bridgeRepliesOf(t);
  }

  @Override
  public void close() {
    running.set(false);
    closed = true;
    retries.shutdownNow();
    producer.close(Duration.ofSeconds(5));
    readers.forEach(Reader::close);
  }

  /** Reads every partition of one reply topic from its end at start-up, without a group. */
  private final class Reader implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private volatile boolean open = true;

    Reader(
        String bootstrap,
        String topic,
        Deserializer<InferenceResponse> responses,
        java.util.function.Consumer<InferenceResponse> sink) {
      Properties c = new Properties();
      c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      c.put(ConsumerConfig.CLIENT_ID_CONFIG, "faults-replies-" + topic);
      c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
      c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
      consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
      List<TopicPartition> parts = new ArrayList<>();
      for (PartitionInfo pi : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
        parts.add(new TopicPartition(topic, pi.partition()));
      }
      consumer.assign(parts);
      consumer.seekToEnd(parts);
      parts.forEach(consumer::position); // fixed now, before the first request goes out
      thread =
          new Thread(
              () -> {
                try {
                  while (open) {
                    for (ConsumerRecord<String, byte[]> rec :
                        consumer.poll(Duration.ofMillis(100))) {
                      InferenceResponse r;
                      try {
                        r = responses.deserialize(rec.topic(), rec.headers(), rec.value());
                      } catch (RuntimeException e) {
                        unmatchedReplies.incrementAndGet();
                        continue;
                      }
                      if (r != null && r.getFinalChunk()) {
                        sink.accept(r);
                      }
                    }
                  }
                } catch (WakeupException e) {
                  // closing
                } catch (RuntimeException e) {
                  readerFailures.add(e);
                } finally {
                  consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
                }
              },
              "faults-replies-" + topic);
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() {
      open = false;
      consumer.wakeup();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
