package io.sluice.kafka.embedded;

/** The embedded broker could not be started, formatted or used. */
public class EmbeddedKafkaException extends RuntimeException {

  public EmbeddedKafkaException(String message, Throwable cause) {
    super(message, cause);
  }

  public EmbeddedKafkaException(String message) {
    super(message);
  }
}
