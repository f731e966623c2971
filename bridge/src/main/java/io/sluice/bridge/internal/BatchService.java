package io.sluice.bridge.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.avro.InferenceResponse;
import io.sluice.bridge.BridgeConfig;
import io.sluice.bridge.batch.BatchSettings;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The batch API's Kafka parts, started and stopped together: the files and jobs tables every
 * replica reads, the store that writes them, and the runner of the batches this replica owns.
 */
public final class BatchService implements AutoCloseable {
  final BatchTable files;
  final BatchTable jobs;
  final BatchStore store;
  final BatchRunner runner;

  public BatchService(
      BridgeConfig config,
      Submitter submitter,
      RouteTable routes,
      Deserializer<InferenceResponse> replies,
      MeterRegistry metrics) {
    BatchSettings s = config.batch();
    this.files =
        new BatchTable(
            "sluice-bridge-batch-files",
            config.bootstrapServers(),
            s.filesTopic(),
            config.kafkaOverrides());
    this.jobs =
        new BatchTable(
            "sluice-bridge-batch-jobs",
            config.bootstrapServers(),
            s.jobsTopic(),
            config.kafkaOverrides());
    this.store =
        new BatchStore(
            config.bootstrapServers(),
            s,
            config.kafkaTimeoutMs(),
            config.kafkaOverrides(),
            config.producerSettings());
    this.runner =
        new BatchRunner(
            config.bootstrapServers(),
            new ConsumerGroup(s.group(), config.instanceId(), config.groupSettings()),
            s,
            jobs,
            files,
            store,
            submitter,
            routes,
            replies,
            new BatchMetrics(metrics, jobs),
            config.kafkaOverrides());
  }

  public void start() {
    files.start();
    jobs.start();
    runner.start();
  }

  /** Files and jobs read to their end at start-up, the runner in its group and in contact. */
  public boolean ready() {
    return runner.ready();
  }

  @Override
  public void close() {
    runner.close();
    jobs.close();
    files.close();
    store.close();
  }
}
