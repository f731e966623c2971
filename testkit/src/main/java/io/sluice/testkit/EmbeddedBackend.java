package io.sluice.testkit;

import io.sluice.kafka.embedded.EmbeddedKafkaBroker;

/** The in-JVM KRaft broker on a temporary directory, deleted on close. */
final class EmbeddedBackend implements KafkaBackend {

  private final EmbeddedKafkaBroker broker;

  private EmbeddedBackend(EmbeddedKafkaBroker broker) {
    this.broker = broker;
  }

  static EmbeddedBackend start() {
    return new EmbeddedBackend(EmbeddedKafkaBroker.builder().build().start());
  }

  @Override
  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  @Override
  public String description() {
    return "embedded KRaft broker (data in " + broker.dataDirectory() + ")";
  }

  @Override
  public void close() {
    broker.close();
  }
}
