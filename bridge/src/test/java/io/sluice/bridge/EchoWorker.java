package io.sluice.bridge;

import io.sluice.avro.ChatInput;
import io.sluice.avro.ChatMessage;
import io.sluice.avro.ChatOutput;
import io.sluice.avro.ChatRole;
import io.sluice.avro.CompletionInput;
import io.sluice.avro.CompletionOutput;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonInput;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.ResponseStatus;
import io.sluice.avro.Usage;
import io.sluice.schemas.Replies;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import io.sluice.testkit.KafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;

/**
 * A fake function worker for bridge tests: reads {@code sluice.requests.<app>} directly (no router)
 * and answers each request to its {@code replyTo}/{@code replyPartition} with its own input echoed
 * back: JSON as is, chat as {@code "echo: <last message>"}, a prompt as {@code "echo: <prompt>"}.
 * Streamed requests are answered in three chunks. Apps in {@code silentApps} are read but never
 * answered (for timeouts). It counts how often each request id was served.
 */
final class EchoWorker implements AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final Serde<InferenceRequest> requests;
  private final Serde<InferenceResponse> responses;
  private final Set<String> silentApps;
  private final Thread thread;
  private volatile boolean running = true;
  final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
  final Map<String, InferenceRequest> received = new ConcurrentHashMap<>();

  /** Each received request's record key, by request id; "" for a record with no key. */
  final Map<String, String> keys = new ConcurrentHashMap<>();

  /** How many more requests to answer; the rest are read and dropped (a worker that died). */
  final AtomicInteger budget = new AtomicInteger(Integer.MAX_VALUE);

  /**
   * Requests over the budget are held instead of dropped (a worker still busy with them) and
   * answered once {@link #releaseHeld} is called.
   */
  volatile boolean holdOverBudget;

  private final List<InferenceRequest> held = new ArrayList<>(); // the worker thread's only
  private volatile boolean release;

  /** Answers the held requests (on the worker thread, at its next poll). */
  void releaseHeld() {
    release = true;
  }

  EchoWorker(KafkaCluster kafka, String registryUrl, List<String> apps, Set<String> silentApps) {
    Properties c = kafka.consumerProperties();
    c.put("key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class);
    c.put("value.deserializer", ByteArrayDeserializer.class);
    c.put("fetch.max.wait.ms", "50");
    consumer = new KafkaConsumer<>(c);
    consumer.subscribe(apps.stream().map(Topics::requests).toList());
    Properties p = kafka.producerProperties();
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    producer = new KafkaProducer<>(p);
    requests = AvroSerde.of(InferenceRequest.class, SerdeConfig.of(registryUrl), false);
    responses = AvroSerde.of(InferenceResponse.class, SerdeConfig.of(registryUrl), false);
    this.silentApps = silentApps;
    thread = new Thread(this::run, "echo-worker");
    thread.setDaemon(true);
    thread.start();
  }

  int servedCount(String requestId) {
    AtomicInteger n = served.get(requestId);
    return n == null ? 0 : n.get();
  }

  private void run() {
    try {
      while (running) {
        // Replies of one poll are sent together, then awaited: a failed send fails this worker
        // (and so the test) instead of leaving a caller to time out without a cause.
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(100))) {
          InferenceRequest req = requests.deserializer().deserialize(rec.topic(), rec.value());
          received.put(req.getRequestId(), req);
          keys.put(req.getRequestId(), rec.key() == null ? "" : rec.key());
          if (silentApps.contains(req.getApp())) {
            continue;
          }
          if (budget.getAndDecrement() <= 0) {
            if (holdOverBudget) {
              held.add(req);
            }
            continue;
          }
          reply(req, sent);
        }
        if (release) {
          release = false;
          held.forEach(req -> reply(req, sent));
          held.clear();
        }
        for (Future<RecordMetadata> f : sent) {
          f.get();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException("the echo worker could not send a reply", e.getCause());
    } finally {
      consumer.close();
    }
  }

  private void reply(InferenceRequest req, List<Future<RecordMetadata>> sent) {
    served.computeIfAbsent(req.getRequestId(), k -> new AtomicInteger()).incrementAndGet();
    for (InferenceResponse r : answer(req)) {
      String topic = Replies.topicFor(req);
      sent.add(
          producer.send(
              new ProducerRecord<>(
                  topic,
                  Replies.partitionFor(req),
                  req.getRequestId(),
                  responses.serializer().serialize(topic, r))));
    }
  }

  static List<InferenceResponse> answer(InferenceRequest req) {
    Object in = req.getInput();
    if (in instanceof JsonInput j) {
      return List.of(
          ok(req).setOutput(JsonOutput.newBuilder().setJson(j.getJson()).build()).build());
    }
    String text;
    if (in instanceof ChatInput c) {
      List<ChatMessage> m = c.getMessages();
      text = "echo: " + m.get(m.size() - 1).getContent();
    } else {
      text = "echo: " + ((CompletionInput) in).getPrompt();
    }
    // As the real workers do: streamed deltas, then a final chunk with the whole output.
    List<String> parts =
        req.getStream()
            ? List.of(text.substring(0, 2), text.substring(2, 5), text.substring(5), text)
            : List.of(text);
    Usage usage =
        Usage.newBuilder().setPromptTokens(3).setCompletionTokens(2).setTotalTokens(5).build();
    ArrayList<InferenceResponse> out = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      boolean last = i == parts.size() - 1;
      InferenceResponse.Builder b = ok(req).setChunkIndex(i).setFinalChunk(last);
      if (last) {
        b.setUsage(usage);
      }
      if (in instanceof ChatInput) {
        b.setOutput(
            ChatOutput.newBuilder()
                .setMessage(
                    ChatMessage.newBuilder()
                        .setRole(ChatRole.ASSISTANT)
                        .setContent(parts.get(i))
                        .build())
                .setFinishReason(last ? "stop" : null)
                .build());
      } else {
        b.setOutput(
            CompletionOutput.newBuilder()
                .setText(parts.get(i))
                .setFinishReason(last ? "length" : null)
                .build());
      }
      out.add(b.build());
    }
    return out;
  }

  private static InferenceResponse.Builder ok(InferenceRequest req) {
    return InferenceResponse.newBuilder()
        .setRequestId(req.getRequestId())
        .setApp(req.getApp())
        .setDeployment("echo")
        .setStatus(ResponseStatus.OK)
        .setTimings(Replies.timings(req, System.currentTimeMillis()));
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(2));
  }
}
