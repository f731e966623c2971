package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.bridge.batch.BatchEndpoint;
import io.sluice.bridge.batch.BatchError;
import io.sluice.bridge.batch.BatchLine;
import io.sluice.bridge.batch.BatchLineException;
import io.sluice.bridge.batch.BatchLines;
import io.sluice.bridge.batch.BatchSettings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the batches whose events partition this replica owns (consumer group {@code batch.group} on
 * {@code sluice.batch.events}). A batch's lines are sent with {@code replyTo=events topic,
 * replyPartition=its partition}, so their replies and its cancel events all reach its owner. On
 * assignment the owner rebuilds each live batch of the partition by reading the partition again
 * from the batch's {@code start_offset} (the first reply per line wins), then sends the lines not
 * yet answered: a replica killed mid-job is replaced by whichever replica gets the partition, and
 * the output still has exactly one line per input line.
 *
 * <p>The owner is the only writer of a batch's record after its creation (progress, status, result
 * files), so records never race.
 */
final class BatchRunner extends ConsumerLoop {
  private static final Logger log = LoggerFactory.getLogger(BatchRunner.class);
  private static final long PROGRESS_EVERY_MS = 1_000;

  private final BatchSettings settings;
  private final BatchTable jobs;
  private final BatchTable files;
  private final BatchStore store;
  private final Submitter submitter;
  private final RouteTable routes;
  private final Deserializer<InferenceResponse> replies;
  private final BatchMetrics metrics;
  private final Map<String, Active> runs = new HashMap<>();
  private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
  private final Set<String> cancels = new HashSet<>();
  private final ConcurrentLinkedQueue<String> failedSends = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean joined;
  private long seenVersion = -1;
  private long lastScanMs;

  /** A live batch on an owned partition: its record and, once loaded, its run. */
  private static final class Active {
    final String id;
    final int partition;
    ObjectNode record;
    BatchRun run;
    long catchUpTo;
    long lastWriteMs;
    long cancellingSinceMs = -1; // when this process moved it to cancelling; -1: not (or before)
    int writtenCompleted = -1;
    int writtenFailed = -1;

    Active(String id, int partition, ObjectNode record) {
      this.id = id;
      this.partition = partition;
      this.record = record;
    }
  }

  BatchRunner(
      String bootstrap,
      ConsumerGroup group,
      BatchSettings settings,
      BatchTable jobs,
      BatchTable files,
      BatchStore store,
      Submitter submitter,
      RouteTable routes,
      Deserializer<InferenceResponse> replies,
      BatchMetrics metrics,
      Map<String, String> overrides) {
    super("sluice-bridge-batch", bootstrap, group, overrides);
    this.settings = settings;
    this.jobs = jobs;
    this.files = files;
    this.store = store;
    this.submitter = submitter;
    this.routes = routes;
    this.replies = replies;
    this.metrics = metrics;
    metrics.inFlight(inFlight);
  }

  @Override
  protected void onStart() {
    consumer.subscribe(List.of(settings.eventsTopic()), new Rebalance());
  }

  boolean ready() {
    return healthy() && joined && jobs.ready() && files.ready();
  }

  // ---- records -------------------------------------------------------------------------------

  @Override
  protected void handle(ConsumerRecords<String, byte[]> records) {
    for (ConsumerRecord<String, byte[]> rec : records) {
      if (rec.key() == null) {
        continue;
      }
      Header event = rec.headers().lastHeader(BatchStore.EVENT_HEADER);
      if (event != null) {
        if ("cancel".equals(new String(event.value(), StandardCharsets.UTF_8))) {
          cancels.add(rec.key());
        }
        continue;
      }
      int colon = rec.key().lastIndexOf(':');
      if (colon < 0) {
        continue;
      }
      Active a = runs.get(rec.key().substring(0, colon));
      if (a == null || a.run == null) {
        continue;
      }
      int line;
      try {
        line = Integer.parseInt(rec.key().substring(colon + 1));
      } catch (NumberFormatException e) {
        continue;
      }
      InferenceResponse r;
      try {
        r = replies.deserialize(rec.topic(), rec.headers(), rec.value());
      } catch (RuntimeException e) {
        log.warn("undecodable batch reply {} at {}: {}", rec.key(), rec.offset(), e.toString());
        continue;
      }
      if (!r.getFinalChunk()) {
        continue;
      }
      metrics.line(a.run.onReply(line, r));
    }
  }

  @Override
  protected void afterPoll() {
    long now = System.currentTimeMillis();
    for (String f; (f = failedSends.poll()) != null; ) {
      int colon = f.lastIndexOf(':');
      Active a = runs.get(f.substring(0, colon));
      if (a != null && a.run != null) {
        a.run.sendFailed(Integer.parseInt(f.substring(colon + 1)));
      }
    }
    if (jobs.version() != seenVersion || now - lastScanMs > 1_000) {
      seenVersion = jobs.version();
      lastScanMs = now;
      scan();
    }
    int flying = 0;
    for (Active a : new ArrayList<>(runs.values())) {
      try {
        step(a, now);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        // A failed Kafka write or read: the step is redone on the next poll (all idempotent).
        log.warn("batch {}: {} (retried)", a.id, e.toString());
      }
      if (a.run != null) {
        flying += a.run.inFlight();
      }
    }
    inFlight.set(flying);
  }

  /** Picks up live batches on owned partitions that are not running here yet. */
  private void scan() {
    for (ObjectNode job : jobs.records()) {
      String id = job.path("id").asText();
      int p = job.path("sluice").path("partition").asInt(-1);
      if (!owned.contains(p) || runs.containsKey(id)) {
        continue;
      }
      if (BatchStatus.live(job.path("status").asText())) {
        runs.put(id, new Active(id, p, job.deepCopy()));
      }
    }
  }

  private void step(Active a, long now) throws Exception {
    TopicPartition tp = new TopicPartition(settings.eventsTopic(), a.partition);
    String status = a.record.path("status").asText();
    if (a.run == null) {
      if (status.equals(BatchStatus.VALIDATING)) {
        validate(a, now);
        status = a.record.path("status").asText();
        if (!BatchStatus.live(status)) {
          runs.remove(a.id);
          return;
        }
      }
      a.run = new BatchRun(a.id, lines(a));
      // Replay: every reply to this batch is at or after its start offset.
      long start = a.record.path("sluice").path("start_offset").asLong(0);
      long position = consumer.position(tp);
      a.catchUpTo = position;
      if (start < position) {
        consumer.seek(tp, start);
      }
      return;
    }
    if (consumer.position(tp) < a.catchUpTo) {
      return; // still replaying: send nothing until every earlier reply is read
    }
    if (cancels.contains(a.id)
        && (status.equals(BatchStatus.IN_PROGRESS) || status.equals(BatchStatus.VALIDATING))) {
      BatchStatus.move(a.record, BatchStatus.CANCELLING, now / 1000);
      write(a);
      status = BatchStatus.CANCELLING;
      a.cancellingSinceMs = now;
    }
    if (status.equals(BatchStatus.CANCELLING)) {
      // As OpenAI's cancel does: nothing more is sent, and lines already sent may still finish
      // (kept in the output) for up to the line timeout. A replica that took the batch over mid-way
      // sent none of them itself, so it finishes at once.
      if (a.cancellingSinceMs >= 0
          && a.run.inFlight() > 0
          && now - a.cancellingSinceMs < settings.lineTimeoutMs()) {
        writeProgress(a, now);
        return;
      }
      finish(a, BatchStatus.CANCELLED, null, now);
      return;
    }
    if (status.equals(BatchStatus.IN_PROGRESS)
        && now / 1000 >= a.record.path("expires_at").asLong(Long.MAX_VALUE)) {
      finish(a, BatchStatus.EXPIRED, "batch_expired", now);
      return;
    }
    if (a.run.done() || status.equals(BatchStatus.FINALIZING)) {
      if (status.equals(BatchStatus.IN_PROGRESS)) {
        BatchStatus.move(a.record, BatchStatus.FINALIZING, now / 1000);
        counts(a);
        write(a);
      }
      finish(a, BatchStatus.COMPLETED, null, now);
      return;
    }
    long deadline =
        Math.min(now + settings.lineTimeoutMs(), a.record.path("expires_at").asLong() * 1000);
    for (int line : a.run.toSend(now, settings.window(), settings.lineTimeoutMs())) {
      BatchLine l = a.run.line(line);
      String rid = BatchLines.requestId(a.id, line);
      InferenceRequest req =
          BatchLines.toRequest(l, rid, settings.eventsTopic(), a.partition, deadline);
      // The outcome is handled in the callback (a failed send is sent again).
      CompletableFuture<Void> unused =
          submitter
              .submit(req)
              .whenComplete(
                  (v, e) -> {
                    if (e != null) {
                      failedSends.add(rid);
                    }
                  });
    }
    writeProgress(a, now);
  }

  /** Writes the request counts if they moved, at most every {@link #PROGRESS_EVERY_MS}. */
  private void writeProgress(Active a, long now) throws Exception {
    if (now - a.lastWriteMs >= PROGRESS_EVERY_MS
        && (a.run.completed() != a.writtenCompleted || a.run.failed() != a.writtenFailed)) {
      counts(a);
      write(a);
    }
  }

  /** Checks every line of the input file; moves the batch to in_progress or failed. */
  private void validate(Active a, long now) throws Exception {
    List<BatchError> errors = new ArrayList<>();
    List<BatchLine> ok = parseAll(a, errors);
    if (ok.isEmpty() && errors.isEmpty()) {
      errors.add(new BatchError("empty_file", "The input file has no lines.", null, null));
    }
    if (!errors.isEmpty()) {
      ObjectNode e = a.record.putObject("errors");
      e.put("object", "list");
      ArrayNode data = e.putArray("data");
      errors.stream().limit(1000).forEach(err -> data.add(err.toJson()));
      BatchStatus.move(a.record, BatchStatus.FAILED, now / 1000);
    } else {
      a.record
          .putObject("request_counts")
          .put("total", ok.size())
          .put("completed", 0)
          .put("failed", 0);
      BatchStatus.move(a.record, BatchStatus.IN_PROGRESS, now / 1000);
    }
    write(a);
  }

  private List<BatchLine> lines(Active a) throws Exception {
    List<BatchError> errors = new ArrayList<>();
    List<BatchLine> ok = parseAll(a, errors);
    if (!errors.isEmpty()) {
      throw new IllegalStateException("batch " + a.id + " input changed: " + errors.get(0));
    }
    return ok;
  }

  private List<BatchLine> parseAll(Active a, List<BatchError> errors) {
    String fileId = a.record.path("input_file_id").asText();
    String content = BatchFiles.content(files, store, fileId);
    if (content == null) {
      errors.add(
          new BatchError(
              "invalid_request", "The input file " + fileId + " is gone.", "input_file_id", null));
      return List.of();
    }
    BatchEndpoint endpoint = BatchEndpoint.parse(a.record.path("endpoint").asText());
    Set<String> apps = new HashSet<>();
    a.record.path("sluice").path("apps").forEach(n -> apps.add(n.asText()));
    Map<String, Integer> seen = new HashMap<>();
    List<BatchLine> ok = new ArrayList<>();
    String[] texts = content.split("\n", -1);
    for (int i = 0; i < texts.length; i++) {
      String t = texts[i].endsWith("\r") ? texts[i].substring(0, texts[i].length() - 1) : texts[i];
      if (BatchLines.isBlank(t)) {
        continue;
      }
      int lineNo = i + 1;
      try {
        BatchLine l = BatchLines.parse(t, lineNo, endpoint);
        Integer first = seen.putIfAbsent(l.customId(), lineNo);
        if (first != null) {
          errors.add(BatchLines.duplicateCustomId(l, first));
        } else if (!routes.knows(l.app()) || !(apps.contains("*") || apps.contains(l.app()))) {
          errors.add(BatchLines.unknownApp(l));
        } else {
          ok.add(l);
        }
      } catch (BatchLineException e) {
        errors.add(e.error());
      }
    }
    return ok;
  }

  /**
   * Writes the result files (ids derived from the batch id: a redo writes the same), then the end.
   */
  private void finish(Active a, String end, String unansweredCode, long now) throws Exception {
    String hex = a.id.substring("batch_".length());
    String out = a.run.output();
    String err =
        a.run.errors(
            unansweredCode,
            "This request could not be executed before the completion window expired.");
    String owner = a.record.path("sluice").path("owner").asText();
    if (!out.isEmpty()) {
      String id = "file-" + hex + "-output";
      BatchFiles.write(store, files, id, a.id + "_output.jsonl", "batch_output", owner, out);
      a.record.put("output_file_id", id);
    }
    if (!err.isEmpty()) {
      String id = "file-" + hex + "-errors";
      BatchFiles.write(store, files, id, a.id + "_error.jsonl", "batch_output", owner, err);
      a.record.put("error_file_id", id);
    }
    counts(a);
    BatchStatus.move(a.record, end, now / 1000);
    write(a);
    metrics.finished(end);
    runs.remove(a.id);
    cancels.remove(a.id);
    log.info(
        "batch {} {}: {} completed, {} failed of {}",
        a.id,
        end,
        a.run.completed(),
        a.run.failed(),
        a.run.total());
  }

  private static void counts(Active a) {
    ObjectNode c = a.record.putObject("request_counts");
    c.put("total", a.run.total());
    c.put("completed", a.run.completed());
    c.put("failed", a.run.failed());
  }

  private void write(Active a) throws Exception {
    store.putJob(a.record);
    a.lastWriteMs = System.currentTimeMillis();
    if (a.run != null) {
      a.writtenCompleted = a.run.completed();
      a.writtenFailed = a.run.failed();
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        owned.remove(tp.partition());
      }
      runs.values().removeIf(a -> !owned.contains(a.partition));
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      onPartitionsRevoked(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      // Nothing is committed: a new owner starts at the end and each live batch seeks back to
      // its own start offset when it is loaded.
      consumer.seekToEnd(partitions);
      for (TopicPartition tp : partitions) {
        consumer.position(tp);
        owned.add(tp.partition());
      }
      joined = true;
      seenVersion = -1;
      log.info("bridge runs the batches of partitions {} of {}", owned, settings.eventsTopic());
    }
  }

  /** For tests and metrics: batches running here. */
  int running() {
    return runs.size();
  }

  static JsonNode publicView(ObjectNode record) {
    ObjectNode o = record.deepCopy();
    o.remove("sluice");
    return o;
  }
}
