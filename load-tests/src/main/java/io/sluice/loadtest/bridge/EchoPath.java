package io.sluice.loadtest.bridge;

import com.sun.net.httpserver.HttpServer;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonInput;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.ResponseStatus;
import io.sluice.avro.Timings;
import io.sluice.schemas.Replies;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The minimal path behind the bridge for the overhead benchmark: a tiny HTTP echo backend, and an
 * echo consumer that reads {@code sluice.requests.<app>}, calls that backend over HTTP for each
 * request and writes the reply to the request's reply topic and partition. No router, no batching:
 * what remains is the bridge plus two Kafka hops.
 */
final class EchoPath implements AutoCloseable {
  private final HttpServer backend;
  private final ExecutorService backendPool = Executors.newFixedThreadPool(8, daemon("backend"));
  private final ExecutorService callers = Executors.newFixedThreadPool(16, daemon("echo-call"));
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final AvroSerde<InferenceRequest> requests;
  private final AvroSerde<InferenceResponse> responses;
  private final Thread loop;
  private volatile boolean running = true;

  EchoPath(String bootstrap, String registryUrl, String app) throws IOException {
    // The JDK server leaves Nagle on by default; with delayed ACKs that adds ~40 ms to calls
    // whose request arrives in two writes. Both measured paths use this backend.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
    backend.setExecutor(backendPool);
    backend.createContext(
        "/echo",
        ex -> {
          byte[] body;
          try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
          }
          ex.getResponseHeaders().set("Content-Type", "application/json");
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    backend.start();

    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-echo-" + System.nanoTime());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    consumer = new KafkaConsumer<>(c);
    consumer.subscribe(List.of(Topics.requests(app)));
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    producer = new KafkaProducer<>(p);
    requests = AvroSerde.of(InferenceRequest.class, SerdeConfig.of(registryUrl), false);
    responses = AvroSerde.of(InferenceResponse.class, SerdeConfig.of(registryUrl), false);
    loop = new Thread(this::run, "echo-consumer");
    loop.setDaemon(true);
    loop.start();
  }

  URI backendUri() {
    return URI.create("http://127.0.0.1:" + backend.getAddress().getPort() + "/echo");
  }

  /** True once the consumer has its partitions (so no request is missed). */
  boolean assigned() {
    return assignedFlag;
  }

  private volatile boolean assignedFlag;

  private void run() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(50))) {
          InferenceRequest req = requests.deserializer().deserialize(rec.topic(), rec.value());
          callers.execute(() -> serve(req));
        }
        assignedFlag = !consumer.assignment().isEmpty();
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close();
    }
  }

  private void serve(InferenceRequest req) {
    long startedAt = System.currentTimeMillis();
    String input = ((JsonInput) req.getInput()).getJson();
    InferenceResponse.Builder r =
        InferenceResponse.newBuilder()
            .setRequestId(req.getRequestId())
            .setApp(req.getApp())
            .setStatus(ResponseStatus.OK);
    try {
      HttpResponse<String> out =
          http.send(
              HttpRequest.newBuilder(backendUri())
                  .POST(HttpRequest.BodyPublishers.ofString(input))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      r.setOutput(JsonOutput.newBuilder().setJson(out.body()).build());
      Timings t = Replies.timings(req, System.currentTimeMillis());
      t.setStartedAtMs(startedAt);
      r.setTimings(t);
    } catch (IOException e) {
      r.setStatus(ResponseStatus.ERROR);
      r.setError(
          io.sluice.avro.ErrorInfo.newBuilder()
              .setCode("backend_unavailable")
              .setMessage(e.toString())
              .build());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    String topic = Replies.topicFor(req);
    producer.send(
        new ProducerRecord<>(
            topic,
            Replies.partitionFor(req),
            req.getRequestId(),
            responses.serializer().serialize(topic, r.build())));
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      loop.join(5_000);
      callers.shutdownNow();
      callers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(2));
    backend.stop(0);
    backendPool.shutdownNow();
  }
}
