package io.sluice.testkit;

/** Something that runs a Kafka cluster for the test JVM: a container or an in-JVM broker. */
interface KafkaBackend extends AutoCloseable {

  String bootstrapServers();

  /** Human-readable, for the log line that says which Kafka the tests run against. */
  String description();

  @Override
  void close();
}
