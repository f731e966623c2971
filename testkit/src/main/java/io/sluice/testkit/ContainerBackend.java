package io.sluice.testkit;

import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/** Apache Kafka in a container, through Testcontainers' Kafka module. */
final class ContainerBackend implements KafkaBackend {

  private final KafkaContainer container;

  private ContainerBackend(KafkaContainer container) {
    this.container = container;
  }

  static ContainerBackend start(String image) {
    KafkaContainer container = new KafkaContainer(DockerImageName.parse(image));
    try {
      container.start();
    } catch (RuntimeException e) {
      container.stop();
      throw e;
    }
    return new ContainerBackend(container);
  }

  @Override
  public String bootstrapServers() {
    return container.getBootstrapServers();
  }

  @Override
  public String description() {
    return "Testcontainers " + container.getDockerImageName();
  }

  @Override
  public void close() {
    container.stop();
  }
}
