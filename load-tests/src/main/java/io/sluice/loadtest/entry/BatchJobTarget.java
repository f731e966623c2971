package io.sluice.loadtest.entry;

import io.sluice.bridge.batch.BatchEndpoint;
import io.sluice.bridge.batch.BatchLine;
import io.sluice.common.config.ConfigLoader;
import io.sluice.common.config.ConnectionKeys;
import io.sluice.common.config.SluiceConfig;
import io.sluice.devstack.batch.BatchRunner;
import io.sluice.devstack.batch.Progress;
import io.sluice.loadtest.generator.LoadRequest;
import io.sluice.loadtest.generator.Reply;
import io.sluice.loadtest.generator.Target;
import io.sluice.schemas.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The batch-job entry path, through the same Kafka-direct runner as {@code sluice batch run}
 * ({@link BatchRunner}): requests are gathered into jobs and each job runs as one batch run, its
 * lines {@code BULK} requests on {@code sluice.requests.<app>} with their replies on the shared
 * batch reply topic. It does not go through the bridge: its {@code /v1/batches} API landed after
 * this target was built, and a target driving it is not built yet.
 *
 * <p>A job takes the requests waiting when the previous job ends, up to {@code jobLines}; the first
 * job waits {@code linger} for company. So at a steady arrival rate jobs grow to what the system
 * drains while they run, as a user's queue of batch files would. Each line's latency runs from its
 * intended send time to its answer (the generator measures it); each job's completion time, from
 * its start to its last answer, is in {@link #jobs()} and {@link #describe()}.
 */
public final class BatchJobTarget implements Target {
  /** One finished job. */
  public record Job(int lines, long answered, long nanos) {}

  private record Queued(LoadRequest request, CompletableFuture<Reply> reply) {}

  private final String app;
  private final BatchEndpoint endpoint;
  private final BatchRunner runner;
  private final int jobLines;
  private final Duration linger;
  private final LinkedBlockingQueue<Queued> queue = new LinkedBlockingQueue<>();
  private final List<Job> jobs = new CopyOnWriteArrayList<>();
  private final AtomicInteger lineNo = new AtomicInteger();
  private final Thread jobThread;
  private volatile boolean running = true;

  /**
   * Connects the runner and starts the job thread.
   *
   * @param bootstrapServers Kafka
   * @param registryUrl Schema Registry
   * @param app the app every line calls ({@code /v1/apps/{app}/infer})
   * @param timeout how long a line waits for its answer (its request's deadline)
   * @param window lines in flight at most
   * @param jobLines the most lines in one job
   * @param linger how long the first job waits for lines
   */
  public BatchJobTarget(
      String bootstrapServers,
      String registryUrl,
      String app,
      Duration timeout,
      int window,
      int jobLines,
      Duration linger) {
    this.app = Topics.checkName("app", app);
    this.endpoint = BatchEndpoint.parse("/v1/apps/" + app + "/infer");
    this.jobLines = jobLines;
    this.linger = linger;
    this.runner =
        new BatchRunner(
            connection(bootstrapServers, registryUrl),
            new BatchRunner.Settings(
                window, timeout, Duration.ofSeconds(1), BatchRunner.DEFAULT_REPLY_TOPIC));
    this.jobThread = new Thread(this::runJobs, "sluice-loadtest-batch-jobs");
    jobThread.setDaemon(true);
    jobThread.start();
  }

  /** The shared connection keys from the flags, the environment (security keys) over defaults. */
  static SluiceConfig connection(String bootstrapServers, String registryUrl) {
    return ConnectionKeys.definition()
        .parse(
            ConfigLoader.layers(
                ConnectionKeys.definition(),
                null,
                System.getenv(),
                Map.of(
                    ConnectionKeys.BOOTSTRAP_SERVERS,
                    bootstrapServers,
                    ConnectionKeys.SCHEMA_REGISTRY_URL,
                    registryUrl)));
  }

  @Override
  public CompletableFuture<Reply> send(LoadRequest request) {
    CompletableFuture<Reply> f = new CompletableFuture<>();
    if (!running) {
      f.completeExceptionally(new IllegalStateException("the batch target is closed"));
      return f;
    }
    queue.add(new Queued(request, f));
    return f;
  }

  private void runJobs() {
    boolean first = true;
    while (running) {
      List<Queued> job = new ArrayList<>();
      try {
        Queued head = queue.poll(100, TimeUnit.MILLISECONDS);
        if (head == null) {
          continue;
        }
        job.add(head);
        if (first) {
          long until = System.nanoTime() + linger.toNanos();
          while (job.size() < jobLines && System.nanoTime() < until) {
            Queued q = queue.poll(10, TimeUnit.MILLISECONDS);
            if (q != null) {
              job.add(q);
            }
          }
          first = false;
        }
        queue.drainTo(job, jobLines - job.size());
        runJob(job);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (Exception e) {
        job.forEach(q -> q.reply().completeExceptionally(e));
      }
    }
  }

  private void runJob(List<Queued> job) throws Exception {
    Map<String, Queued> byId = new ConcurrentHashMap<>();
    List<BatchLine> lines = new ArrayList<>(job.size());
    for (Queued q : job) {
      LoadRequest r = q.request();
      BatchLine line =
          new BatchLine(
              lineNo.incrementAndGet(),
              r.requestId(),
              endpoint,
              app,
              Inputs.avro(r),
              r.key() == null ? Map.of() : Map.of("user", r.key()));
      byId.put(line.customId(), q);
      lines.add(line);
    }
    long t0 = System.nanoTime();
    Progress quiet =
        new Progress(new PrintStream(PrintStream.nullOutputStream()), false, job.size(), 0, 0, t0);
    BatchRunner.Result result =
        runner.run(
            send -> {
              for (BatchLine l : lines) {
                if (!send.accept(l)) {
                  return;
                }
              }
            },
            (line, reply) -> {
              Queued q = byId.remove(line.customId());
              if (q != null) {
                q.reply().complete(KafkaTarget.toReply(reply));
              }
            },
            quiet);
    jobs.add(new Job(job.size(), result.ok() + result.failed(), System.nanoTime() - t0));
    // Lines without an answer within the timeout: the generator counts them as timeouts.
    byId.values()
        .forEach(q -> q.reply().completeExceptionally(new TimeoutException("no answer in time")));
  }

  /** The jobs run so far. */
  public List<Job> jobs() {
    return List.copyOf(jobs);
  }

  @Override
  public String describe() {
    List<Job> done = jobs();
    StringBuilder sb =
        new StringBuilder("batch jobs (Kafka-direct runner) -> ")
            .append(Topics.requests(app))
            .append(", BULK");
    if (!done.isEmpty()) {
      long lines = done.stream().mapToLong(Job::lines).sum();
      double maxS = done.stream().mapToLong(Job::nanos).max().orElse(0) / 1e9;
      double meanS = done.stream().mapToLong(Job::nanos).average().orElse(0) / 1e9;
      sb.append(
          String.format(
              Locale.ROOT,
              "; %d jobs, %d lines, job completion mean %.2f s, max %.2f s",
              done.size(),
              lines,
              meanS,
              maxS));
    }
    return sb.toString();
  }

  @Override
  public void close() {
    running = false;
    runner.stop();
    try {
      jobThread.join(TimeUnit.SECONDS.toMillis(15));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    queue.forEach(q -> q.reply().cancel(false));
    runner.close();
  }
}
