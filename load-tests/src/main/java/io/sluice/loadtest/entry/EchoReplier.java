package io.sluice.loadtest.entry;

import io.sluice.avro.JsonOutput;
import io.sluice.schemas.Topics;
import io.sluice.testkit.FakeWorker;
import io.sluice.testkit.Records;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * A fake stand-in for the router and workers, NOT Sluice: reads an app's request topic and answers
 * every request OK on its reply topic, keyed by request id, doing no work. The variant is "a" or
 * "b" by the record key's hash, so callers with a key always get the same one, as sticky routing
 * promises. Used by the integration test and by {@code load --embedded-echo}, which measures the
 * harness and a bare Kafka round trip, never Sluice itself. The loop is testkit's {@link
 * FakeWorker}.
 */
public final class EchoReplier implements AutoCloseable {
  private final FakeWorker worker;

  public EchoReplier(String bootstrapServers, String registryUrl, String app, String groupId) {
    Properties c = FakeWorker.consumerProps(bootstrapServers, groupId, "earliest");
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
    worker =
        FakeWorker.start(
            c,
            FakeWorker.producerProps(bootstrapServers, 1),
            registryUrl,
            List.of(Topics.requests(app)),
            rec -> {
              String variant = Math.floorMod(rec.key().hashCode(), 2) == 0 ? "a" : "b";
              return FakeWorker.now(
                  Records.ok(rec.value())
                      .setVariant(variant)
                      .setDeployment("echo-" + variant)
                      .setOutput(JsonOutput.newBuilder().setJson("{\"echo\":true}").build())
                      .build());
            });
  }

  public long answered() {
    return worker.answered();
  }

  @Override
  public void close() {
    worker.close();
  }
}
