package io.sluice.functions.internal.runtime;

import io.sluice.schemas.SluiceHeaders;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consume-execute-reply loop of one worker, on one thread that owns the consumer.
 *
 * <p>Records are handed to a pool of threads, as many at once as the {@link Concurrency} allows (in
 * batches, or in the requests they hold); once enough are fetched and waiting, every assigned
 * partition is paused, so a slow backend builds consumer lag for the autoscaler instead of memory
 * here.
 *
 * <p>Batches of BULK requests (the router's {@code sluice-priority} header; async batch jobs) give
 * way to interactive ones: an interactive batch fetched is started before any BULK batch waiting,
 * BULK batches take at most the concurrency's {@code bulkLimit} (one slot, or one full batch's
 * requests, less than the whole), so room is always free for interactive traffic, and the loop
 * reads BULK batches ahead (up to {@link #BULK_LOOKAHEAD_BATCHES} of them or {@link
 * #BULK_LOOKAHEAD_BYTES}) to find the interactive batches queued behind them in the same
 * partitions. A job's bounded window (256 lines in flight by default) puts at most a few hundred
 * BULK batches ahead in the log, within that reach even when its lines trickle in as batches of one
 * or two.
 *
 * <p>A partition's offset is committed only over a contiguous run of finished records:
 *
 * <ul>
 *   <li>at-least-once: a record is finished when every reply and dead letter it produced was
 *       acknowledged by the broker;
 *   <li>exactly-once: the poll thread writes a finished run's records and its offsets in one
 *       transaction ({@code sendOffsetsToTransaction} with the group metadata).
 * </ul>
 *
 * <p>{@link #drain} stops fetching, lets in-flight batches finish within the grace period, commits,
 * and leaves the group; {@link #halt} stops at once without committing, as SIGKILL would.
 */
public final class WorkerLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(WorkerLoop.class);
  private static final Duration POLL = Duration.ofMillis(50);

  /**
   * How many BULK batches the loop may hold fetched while it looks for interactive ones behind
   * them. Four per slot had been too few: a job's trickle of lines made batches of 1-3 lines, a
   * 256-line window a few hundred of them, and interactive batches behind them waited seconds.
   */
  static final int BULK_LOOKAHEAD_BATCHES = 1024;

  /** ...and how many bytes of them at most (records are up to the broker's message size). */
  static final long BULK_LOOKAHEAD_BYTES = 16L << 20;

  /**
   * While BULK batches wait for a slot and partitions stay resumed (to find interactive batches
   * behind them), how long the loop waits for a slot before it polls again without waiting.
   */
  private static final Duration SLOT_WAIT = Duration.ofMillis(5);

  private final String name;
  private final String topic;
  private final Consumer<byte[], byte[]> consumer;
  private final Producer<String, byte[]> producer;
  private final boolean exactlyOnce;
  private final BatchProcessor processor;
  private final ExecutorService pool;
  private final Concurrency concurrency;
  private final WorkerMetrics metrics;
  private final Runnable onStop;

  /** A batch fetched and not started, with what it counts against the concurrency (read once). */
  private record Waiting(ConsumerRecord<byte[], byte[]> record, int cost) {}

  /** Fetched, not started: interactive batches (and any without a priority header). */
  private final Deque<Waiting> fetched = new ArrayDeque<>();

  /** Fetched, not started: BULK batches, started only when no interactive one waits. */
  private final Deque<Waiting> fetchedBulk = new ArrayDeque<>();

  private long fetchedBulkBytes; // the poll thread's only

  /**
   * What the interactive batches in {@link #fetched} count against the concurrency (poll thread).
   */
  private int fetchedCost;

  /** What the batches running count against the concurrency, all of them (a gauge) and BULK. */
  private final AtomicInteger inflightCost;

  private final AtomicInteger bulkInflightCost = new AtomicInteger();

  /** Batches finished so far: the poll thread waits for this to move while it is paused. */
  private final java.util.concurrent.atomic.AtomicLong completions =
      new java.util.concurrent.atomic.AtomicLong();

  private final Map<TopicPartition, PartitionTracker<List<ProducerRecord<String, byte[]>>>>
      trackers = new HashMap<>();

  /**
   * Offsets whose async commit failed (a rebalance was in progress) and that no later commit has
   * covered yet. Retried on every loop turn: an idle worker makes no later commit, and without the
   * retry its group would show that lag for ever (and the autoscaler would keep replicas for it).
   * Only touched on the poll thread, where commit callbacks run.
   */
  private final Map<TopicPartition, Long> commitsToRetry = new HashMap<>();

  /** The highest offset per partition a commit is known to have stored (poll thread only). */
  private final Map<TopicPartition, Long> committedUpTo = new HashMap<>();

  private final Map<TopicPartition, Integer> inflightByPartition = new HashMap<>();
  private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inflight;
  private boolean paused;

  /** Notified by a pool thread each time a batch finishes. */
  private final Object slotFreed = new Object();

  /** Records whose writes are being retried, with when that began (pool threads). */
  private final Map<Object, Long> retryingSince = new java.util.concurrent.ConcurrentHashMap<>();

  /** When the poll thread last went round; a loop stuck in a call stops turning. */
  private volatile long lastTurnNanos = System.nanoTime();

  private volatile boolean draining;
  private volatile long drainDeadlineNanos;
  private volatile boolean halted;
  private volatile boolean started;
  private volatile boolean joined;
  private volatile Throwable failure;

  private record Finished(
      TopicPartition tp, long offset, List<ProducerRecord<String, byte[]>> out, Throwable error) {}

  public WorkerLoop(
      String name,
      String topic,
      Consumer<byte[], byte[]> consumer,
      Producer<String, byte[]> producer,
      boolean exactlyOnce,
      BatchProcessor processor,
      ExecutorService pool,
      Concurrency concurrency,
      WorkerMetrics metrics,
      Runnable onStop) {
    this.onStop = onStop;
    this.name = name;
    this.topic = topic;
    this.consumer = consumer;
    this.producer = producer;
    this.exactlyOnce = exactlyOnce;
    this.processor = processor;
    this.pool = pool;
    this.concurrency = concurrency;
    this.metrics = metrics;
    this.inflight = metrics.inflight();
    this.inflightCost = metrics.inflightRequests();
  }

  /** Longer than this without a loop turn, or retrying a write, and the worker is not ready. */
  static final long STUCK_NANOS = TimeUnit.SECONDS.toNanos(45);

  /** Whether the loop subscribed and runs, is not stopping, and is not stuck. */
  public boolean running() {
    return started && !draining && !halted && failure == null && stuck() == null;
  }

  /**
   * Whether the consumer has reached the broker: it joined its group and got an assignment (an
   * empty one too: a replica beyond the partition count is still a member). Until then the worker
   * is not ready, so a pod whose broker is unreachable or whose login is refused never turns ready.
   */
  public boolean joined() {
    return joined;
  }

  /** Why the loop is stuck (a write retried, or no loop turn, for too long), or null. */
  public String stuck() {
    long now = System.nanoTime();
    if (started && failure == null && now - lastTurnNanos > STUCK_NANOS) {
      return "the worker loop has not turned for "
          + TimeUnit.NANOSECONDS.toSeconds(now - lastTurnNanos)
          + " s";
    }
    for (long since : retryingSince.values()) {
      if (now - since > STUCK_NANOS) {
        return "results not written for " + TimeUnit.NANOSECONDS.toSeconds(now - since) + " s";
      }
    }
    return null;
  }

  /** The error that stopped the loop, or null. */
  public Throwable failure() {
    return failure;
  }

  /** Asks for a graceful stop within {@code grace}; returns immediately. */
  public void drain(Duration grace) {
    drainDeadlineNanos = System.nanoTime() + grace.toNanos();
    draining = true; // seen by the loop within one poll interval
    wakeSlotWaiter();
  }

  /** Stops at once: no commit, in-flight work abandoned (it will be redelivered). */
  public void halt() {
    halted = true;
    wakeSlotWaiter();
    consumer.wakeup();
  }

  private void wakeSlotWaiter() {
    synchronized (slotFreed) {
      slotFreed.notifyAll();
    }
  }

  @Override
  public void run() {
    try {
      if (exactlyOnce) {
        producer.initTransactions();
      }
      consumer.subscribe(List.of(topic), new Rebalance());
      started = true;
      while (!halted) {
        lastTurnNanos = System.nanoTime();
        long seen = completions.get();
        handleFinished();
        if (draining) {
          // Not started, so never committed: redelivered to whoever takes the partition over.
          fetched.clear();
          fetchedCost = 0;
          fetchedBulk.clear();
          fetchedBulkBytes = 0;
          if (inflight.get() == 0 || System.nanoTime() > drainDeadlineNanos) {
            break;
          }
        } else {
          startFetched();
        }
        pauseOrResume();
        try {
          // While paused, poll() would block for its whole timeout (no record can arrive), so a
          // batch finishing a millisecond later would leave its slot idle until then: that capped
          // a worker at maxConcurrent batches per poll interval. Poll without waiting (heartbeats,
          // rebalances) and wait for a slot instead.
          // Likewise while fetched batches wait for a slot (BULK ones, read ahead unpaused): a
          // poll blocking until new records arrive would hold back the next start.
          Duration wait = POLL;
          if (!draining && paused) {
            awaitCompletion(seen, POLL);
            wait = Duration.ZERO;
          } else if (!draining && (!fetched.isEmpty() || !fetchedBulk.isEmpty())) {
            awaitCompletion(seen, SLOT_WAIT);
            wait = Duration.ZERO;
          }
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(wait)) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            trackers.computeIfAbsent(tp, k -> new PartitionTracker<>()).fetched(r.offset());
            Waiting w = new Waiting(r, concurrency.cost(r));
            if (isBulk(r)) {
              fetchedBulk.add(w);
              fetchedBulkBytes += bytesOf(r);
            } else {
              fetched.add(w);
              fetchedCost += w.cost();
            }
          }
        } catch (WakeupException e) {
          // drain() or halt() asked us to look at the flags now.
        }
      }
      if (!halted) {
        handleFinished();
        if (inflight.get() > 0) {
          log.warn(
              "{}: {} batch(es) still running after the grace period; not committed",
              name,
              inflight.get());
        }
        commitSync();
      }
    } catch (Throwable t) {
      failure = t;
      log.error("{}: worker loop failed; stopping without committing further", name, t);
    } finally {
      pool.shutdownNow();
      closeQuietly(halted || failure != null);
    }
  }

  private void closeQuietly(boolean abrupt) {
    try {
      if (abrupt) {
        producer.close(Duration.ZERO);
      } else {
        producer.close(Duration.ofSeconds(10));
      }
    } catch (RuntimeException e) {
      log.warn("{}: closing producer: {}", name, e.toString());
    }
    try {
      // A graceful stop leaves the group even as a static member (whose default is to stay until
      // the session times out), so a drained replica's partitions move at once; an abrupt one
      // stays, as a killed process would, and its partitions move after the session timeout.
      consumer.close(
          org.apache.kafka.clients.consumer.CloseOptions.timeout(
                  abrupt ? Duration.ZERO : Duration.ofSeconds(10))
              .withGroupMembershipOperation(
                  abrupt
                      ? org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation
                          .REMAIN_IN_GROUP
                      : org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation
                          .LEAVE_GROUP));
    } catch (RuntimeException e) {
      log.warn("{}: closing consumer: {}", name, e.toString());
    }
    try {
      onStop.run();
    } catch (RuntimeException e) {
      log.warn("{}: closing: {}", name, e.toString());
    }
    log.info("{}: stopped{}", name, abrupt ? " abruptly" : "");
  }

  /** Batches fetched and not started yet (poll thread only; for tests). */
  int waitingToStart() {
    return fetched.size() + fetchedBulk.size();
  }

  private static boolean isBulk(ConsumerRecord<byte[], byte[]> r) {
    return "BULK".equals(SluiceHeaders.get(r.headers(), SluiceHeaders.PRIORITY));
  }

  private static long bytesOf(ConsumerRecord<byte[], byte[]> r) {
    return (long) Math.max(0, r.serializedKeySize()) + Math.max(0, r.serializedValueSize());
  }

  /**
   * Starts interactive batches first, in order, then BULK ones within their share. An interactive
   * batch that does not fit yet holds back every BULK one behind it, so a stream of small BULK
   * batches cannot starve a large interactive one.
   */
  private void startFetched() {
    while (true) {
      Waiting w;
      boolean bulk;
      if (!fetched.isEmpty()) {
        w = fetched.peek();
        if (!concurrency.fits(w.cost(), inflightCost.get())) {
          return;
        }
        fetched.poll();
        fetchedCost -= w.cost();
        bulk = false;
      } else if (!fetchedBulk.isEmpty()) {
        w = fetchedBulk.peek();
        if (!concurrency.fits(w.cost(), inflightCost.get())
            || !concurrency.bulkFits(w.cost(), bulkInflightCost.get())) {
          return;
        }
        fetchedBulk.poll();
        fetchedBulkBytes -= bytesOf(w.record());
        bulk = true;
      } else {
        return;
      }
      ConsumerRecord<byte[], byte[]> r = w.record();
      int cost = w.cost();
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      inflight.incrementAndGet();
      inflightCost.addAndGet(cost);
      if (bulk) {
        bulkInflightCost.addAndGet(cost);
      }
      inflightByPartition.merge(tp, 1, Integer::sum);
      pool.execute(() -> execute(tp, r, bulk, cost));
    }
  }

  private void execute(
      TopicPartition tp, ConsumerRecord<byte[], byte[]> r, boolean bulk, int cost) {
    List<ProducerRecord<String, byte[]>> chunksForTx = new ArrayList<>();
    try {
      List<BatchProcessor.Out> out =
          processor.process(
              r,
              chunk -> {
                if (exactlyOnce) {
                  synchronized (chunksForTx) {
                    chunksForTx.add(chunk);
                  }
                } else {
                  sendChunk(chunk);
                }
              });
      if (exactlyOnce) {
        List<ProducerRecord<String, byte[]>> all = new ArrayList<>(chunksForTx);
        out.forEach(o -> all.add(o.record()));
        finished.add(new Finished(tp, r.offset(), all, null));
      } else {
        deliver(r, out);
        finished.add(new Finished(tp, r.offset(), List.of(), null));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      finished.add(new Finished(tp, r.offset(), List.of(), e));
    } catch (RuntimeException | Error e) {
      // Only a producer that can no longer write (fenced, closed, unauthenticated) gets here.
      finished.add(new Finished(tp, r.offset(), List.of(), e));
    } finally {
      // No consumer.wakeup() here: it would abort whatever blocking call the poll thread makes
      // next (a commitSync, say). A paused poll thread waits on the monitor instead.
      if (bulk) {
        bulkInflightCost.addAndGet(-cost);
      }
      inflightCost.addAndGet(-cost);
      inflight.decrementAndGet();
      completions.incrementAndGet();
      wakeSlotWaiter();
    }
  }

  /**
   * Waits up to {@code atMost} for a batch to finish after {@code seen} completions (so a slot may
   * be free) or for a stop request. Called on the poll thread before a poll that does not wait.
   */
  private void awaitCompletion(long seen, Duration atMost) throws InterruptedException {
    long until = System.nanoTime() + atMost.toNanos();
    synchronized (slotFreed) {
      while (completions.get() == seen && !draining && !halted) {
        long left = until - System.nanoTime();
        if (left <= 0) {
          return;
        }
        TimeUnit.NANOSECONDS.timedWait(slotFreed, left);
      }
    }
  }

  /** Streamed chunks are a preview: the final reply carries the whole output, so none waits. */
  // Not a lost failure: send's future is not kept because the callback gets (and logs) the error.
  @SuppressWarnings("FutureReturnValueIgnored")
  private void sendChunk(ProducerRecord<String, byte[]> chunk) {
    try {
      producer.send(
          chunk,
          (md, e) -> {
            if (e != null) {
              log.warn(
                  "{}: a streamed chunk to {} was not written: {}",
                  name,
                  chunk.topic(),
                  e.toString());
            }
          });
    } catch (RuntimeException e) {
      log.warn("{}: a streamed chunk to {} was not written: {}", name, chunk.topic(), e.toString());
    }
  }

  /**
   * Writes a record's replies and dead letters and waits for their acknowledgements. A reply the
   * broker refuses for good (no such topic or partition, too large, not authorised) is
   * dead-lettered instead, alone; a transient failure (the broker unreachable for longer than the
   * producer's delivery timeout) is retried here with a capped backoff, for as long as it takes,
   * since committing past it would lose it (readiness is DOWN meanwhile). Returns when every record
   * is written or dead-lettered.
   */
  private void deliver(ConsumerRecord<byte[], byte[]> source, List<BatchProcessor.Out> out)
      throws InterruptedException {
    List<BatchProcessor.Out> pending = out;
    Object token = new Object();
    try {
      for (int round = 1; !pending.isEmpty(); round++) {
        List<Future<RecordMetadata>> acks = new ArrayList<>(pending.size());
        for (BatchProcessor.Out o : pending) {
          acks.add(send(o.record()));
        }
        List<BatchProcessor.Out> again = new ArrayList<>();
        boolean transientFailure = false;
        for (int i = 0; i < pending.size(); i++) {
          BatchProcessor.Out o = pending.get(i);
          Throwable e = failureOf(acks.get(i));
          if (e == null) {
            continue;
          }
          if (halted) {
            throw new InterruptedException("halted while writing results");
          }
          if (SendFailures.isFatal(e)) {
            throw new IllegalStateException("the producer can no longer write", e);
          }
          boolean permanent = !SendFailures.isTransient(e);
          if (!permanent && o.request() != null) {
            // A reply topic deleted (or a partition gone) since the check: ask again.
            processor.targets().invalidate(o.record().topic());
            ReplyTargets.Verdict v =
                processor.targets().check(o.record().topic(), o.record().partition());
            permanent =
                v == ReplyTargets.Verdict.NO_SUCH_TOPIC
                    || v == ReplyTargets.Verdict.NO_SUCH_PARTITION;
          }
          if (!permanent) {
            transientFailure = true;
            again.add(o);
          } else if (o.request() != null) {
            log.warn(
                "{}: reply to {} for request {} refused ({}); dead-lettering it",
                name,
                o.record().topic(),
                o.request().getRequestId(),
                e.toString());
            again.add(new BatchProcessor.Out(processor.undeliverable(source, o, e), null));
          } else {
            // A dead letter the broker refuses for good: nothing else can hold it. Say so loudly.
            metrics.error("dead_letter_lost", e);
            log.error(
                "{}: dead letter for {}@{} ({}) could not be written and is dropped: {}",
                name,
                source.topic() + "-" + source.partition(),
                source.offset(),
                o.record().key(),
                e.toString());
          }
        }
        pending = again;
        if (transientFailure) {
          retryingSince.putIfAbsent(token, System.nanoTime());
          long backoff = Math.min(10_000L, 250L << Math.min(round, 6));
          log.warn(
              "{}: {} record(s) of {}@{} not written yet; retrying in {} ms",
              name,
              again.size(),
              source.topic() + "-" + source.partition(),
              source.offset(),
              backoff);
          sleepUnlessHalted(backoff);
        }
      }
    } finally {
      retryingSince.remove(token);
    }
  }

  private Future<RecordMetadata> send(ProducerRecord<String, byte[]> rec) {
    try {
      return producer.send(rec);
    } catch (RuntimeException e) {
      return java.util.concurrent.CompletableFuture.failedFuture(e);
    }
  }

  private static Throwable failureOf(Future<RecordMetadata> ack) throws InterruptedException {
    try {
      ack.get(); // the producer's delivery.timeout.ms bounds this
      return null;
    } catch (ExecutionException e) {
      return e.getCause() == null ? e : e.getCause();
    }
  }

  private void sleepUnlessHalted(long ms) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    while (System.nanoTime() < until) {
      if (halted) {
        throw new InterruptedException("halted");
      }
      TimeUnit.MILLISECONDS.sleep(Math.min(50, ms));
    }
  }

  private void handleFinished() {
    Set<TopicPartition> touched = new HashSet<>();
    Finished f;
    while ((f = finished.poll()) != null) {
      inflightByPartition.computeIfPresent(f.tp(), (k, n) -> n <= 1 ? null : n - 1);
      if (f.error() != null) {
        if (halted || (draining && f.error() instanceof InterruptedException)) {
          continue; // abandoned on purpose; redelivered after restart
        }
        // The producer can no longer write (fenced, closed, unauthenticated): committing past this
        // record would lose it, so stop here (liveness goes DOWN) and let the restart redeliver it.
        throw new IllegalStateException(
            "cannot write the results of " + f.tp() + "@" + f.offset(), f.error());
      }
      PartitionTracker<List<ProducerRecord<String, byte[]>>> t = trackers.get(f.tp());
      if (t != null) {
        t.finished(f.offset(), f.out());
        touched.add(f.tp());
      }
    }
    if (!touched.isEmpty()) {
      commit(touched, false);
    }
    retryFailedCommits();
  }

  private void retryFailedCommits() {
    if (commitsToRetry.isEmpty() || exactlyOnce) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    commitsToRetry
        .entrySet()
        .removeIf(e -> !trackers.containsKey(e.getKey())); // revoked: the new owner commits
    commitsToRetry.forEach((tp, offset) -> offsets.put(tp, new OffsetAndMetadata(offset)));
    commitsToRetry.clear();
    if (!offsets.isEmpty()) {
      consumer.commitAsync(offsets, this::onAsyncCommit);
    }
  }

  private void onAsyncCommit(Map<TopicPartition, OffsetAndMetadata> offsets, Exception e) {
    if (e == null) {
      offsets.forEach(this::committed);
      return;
    }
    if (e instanceof org.apache.kafka.common.errors.RebalanceInProgressException) {
      // Expected while the group rebalances (replicas added or removed); retried each turn.
      log.debug("{}: commit deferred by a rebalance, will retry", name);
    } else {
      log.warn("{}: async commit failed, will retry: {}", name, e.toString());
    }
    offsets.forEach(
        (tp, om) -> {
          // Never retry below what a later commit already stored: that would move it back.
          if (om.offset() > committedUpTo.getOrDefault(tp, -1L)) {
            commitsToRetry.merge(tp, om.offset(), Math::max);
          }
        });
  }

  private void committed(TopicPartition tp, OffsetAndMetadata om) {
    committedUpTo.merge(tp, om.offset(), Math::max);
    commitsToRetry.computeIfPresent(tp, (k, v) -> v <= om.offset() ? null : v);
  }

  /** Commits the contiguous finished prefix of each partition (async unless {@code sync}). */
  private void commit(Collection<TopicPartition> partitions, boolean sync) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    List<ProducerRecord<String, byte[]>> txRecords = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      PartitionTracker<List<ProducerRecord<String, byte[]>>> t = trackers.get(tp);
      if (t == null) {
        continue;
      }
      List<List<ProducerRecord<String, byte[]>>> outs = t.takeContiguous();
      if (!outs.isEmpty()) {
        offsets.put(tp, new OffsetAndMetadata(t.commitPosition()));
        outs.forEach(txRecords::addAll);
      }
    }
    if (offsets.isEmpty()) {
      return;
    }
    // A new commit of a partition supersedes an earlier one that failed (positions only grow).
    offsets.keySet().forEach(commitsToRetry::remove);
    if (exactlyOnce) {
      producer.beginTransaction();
      txRecords.forEach(this::sendInTransaction);
      producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
      producer.commitTransaction(); // any failure is fatal: the restart resumes from the last tx
    } else if (sync) {
      consumer.commitSync(offsets);
      offsets.forEach(this::committed);
    } else {
      consumer.commitAsync(offsets, this::onAsyncCommit);
    }
  }

  // Not a lost failure: a send that fails inside a transaction makes commitTransaction() throw.
  @SuppressWarnings("FutureReturnValueIgnored")
  private void sendInTransaction(ProducerRecord<String, byte[]> rec) {
    producer.send(rec);
  }

  private void commitSync() {
    commit(new ArrayList<>(trackers.keySet()), true);
  }

  private void pauseOrResume() {
    Set<TopicPartition> assigned = consumer.assignment();
    // Enough interactive batches waiting to fill every slot, or the BULK read-ahead used up. Until
    // then the loop keeps fetching, so an interactive batch behind BULK ones is found and started
    // first.
    int limit = concurrency.limit();
    boolean full =
        draining
            || (inflightCost.get() + fetchedCost >= limit && fetchedBulk.isEmpty())
            || fetchedCost >= limit
            || fetchedBulk.size() >= BULK_LOOKAHEAD_BATCHES
            || fetchedBulkBytes >= BULK_LOOKAHEAD_BYTES;
    if (full && !assigned.isEmpty()) {
      consumer.pause(assigned);
      paused = true;
    } else if (!full && paused) {
      consumer.resume(assigned);
      paused = false;
    }
  }

  /**
   * Cooperative rebalancing: finish and commit what was revoked, up to the first batch handed back
   * unstarted; forget what was lost.
   */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty() || halted) {
        return;
      }
      removeFetched(partitions);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (partitions.stream().anyMatch(tp -> inflightByPartition.containsKey(tp))
          && System.nanoTime() < deadline
          && !halted) {
        waitForFinish();
        handleFinished();
      }
      commit(partitions, true);
      partitions.forEach(trackers::remove);
      partitions.forEach(inflightByPartition::remove);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      removeFetched(partitions);
      partitions.forEach(trackers::remove);
      partitions.forEach(inflightByPartition::remove);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      joined = true; // called after every completed rebalance, with an empty set too
      if (paused && !partitions.isEmpty()) {
        consumer.pause(partitions); // stay consistent until the loop re-evaluates
      }
    }

    private void removeFetched(Collection<TopicPartition> partitions) {
      removeFetched(partitions, fetched);
      removeFetched(partitions, fetchedBulk);
      fetchedCost = 0;
      fetched.forEach(w -> fetchedCost += w.cost());
      fetchedBulkBytes = 0;
      fetchedBulk.forEach(w -> fetchedBulkBytes += bytesOf(w.record()));
    }

    private void removeFetched(Collection<TopicPartition> partitions, Deque<Waiting> queue) {
      Iterator<Waiting> it = queue.iterator();
      while (it.hasNext()) {
        ConsumerRecord<byte[], byte[]> r = it.next().record();
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        if (partitions.contains(tp)) {
          it.remove();
          PartitionTracker<?> t = trackers.get(tp);
          if (t != null) {
            t.release(r.offset());
          }
        }
      }
    }
  }

  private void waitForFinish() {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
    while (finished.isEmpty() && System.nanoTime() < until) {
      try {
        TimeUnit.MILLISECONDS.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
