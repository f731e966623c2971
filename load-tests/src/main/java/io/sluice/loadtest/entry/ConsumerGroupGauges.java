package io.sluice.loadtest.entry;

import io.sluice.loadtest.generator.Gauges;
import io.sluice.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Replicas over time, the way KEDA sees them: for each deployment, the members of its worker
 * consumer group {@code sluice.fn.<deployment>} ({@code replicas.<deployment>}) and the group's lag
 * on {@code sluice.batches.<deployment>} ({@code lag.<deployment>}). Sampled every second on its
 * own thread; {@link #sample()} returns the latest values without blocking.
 */
public final class ConsumerGroupGauges implements Gauges, AutoCloseable {
  private final Admin admin;
  private final List<String> deployments;
  private final ScheduledExecutorService timer;
  private final ScheduledFuture<?> polling;
  private volatile Map<String, Double> latest = Map.of();
  private volatile String lastError;

  public ConsumerGroupGauges(String bootstrapServers, List<String> deployments) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-loadtest-gauges");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
    this.admin = Admin.create(p);
    this.deployments = List.copyOf(deployments);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-loadtest-gauges");
              t.setDaemon(true);
              return t;
            });
    polling = timer.scheduleWithFixedDelay(this::poll, 0, 1, TimeUnit.SECONDS);
  }

  @Override
  public Map<String, Double> sample() {
    return latest;
  }

  /** The last sampling failure, or null. */
  public String lastError() {
    return lastError;
  }

  private void poll() {
    try {
      Map<String, Double> out = new HashMap<>();
      List<String> groups = deployments.stream().map(Topics::workerGroup).toList();
      Map<String, ConsumerGroupDescription> described =
          admin.describeConsumerGroups(groups).all().get(5, TimeUnit.SECONDS);
      for (String d : deployments) {
        ConsumerGroupDescription g = described.get(Topics.workerGroup(d));
        out.put("replicas." + d, g == null ? 0.0 : g.members().size());
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin
                .listConsumerGroupOffsets(Topics.workerGroup(d))
                .partitionsToOffsetAndMetadata()
                .get(5, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> ask =
            committed.keySet().stream()
                .filter(tp -> tp.topic().equals(Topics.batches(d)))
                .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        if (!ask.isEmpty()) {
          Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
              admin.listOffsets(ask).all().get(5, TimeUnit.SECONDS);
          long lag = 0;
          for (TopicPartition tp : ask.keySet()) {
            OffsetAndMetadata c = committed.get(tp);
            lag += Math.max(0, ends.get(tp).offset() - (c == null ? 0 : c.offset()));
          }
          out.put("lag." + d, (double) lag);
        }
      }
      latest = Map.copyOf(out);
      lastError = null;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      lastError = e.toString();
    }
  }

  @Override
  public void close() {
    polling.cancel(false);
    timer.shutdownNow();
    admin.close(Duration.ofSeconds(5));
  }
}
