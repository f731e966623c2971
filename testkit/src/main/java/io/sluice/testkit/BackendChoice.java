package io.sluice.testkit;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.utils.AppInfoParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * Decides which Kafka the tests get and starts it.
 *
 * <p>{@code sluice.test.kafka} (system property) or {@code SLUICE_TEST_KAFKA} (environment) selects
 * {@code auto} (default: a container if a Docker engine answers, else embedded), {@code embedded}
 * or {@code container}. {@code sluice.test.kafka-image} / {@code SLUICE_TEST_KAFKA_IMAGE} overrides
 * the image, which defaults to the {@code apache/kafka} release matching the Kafka clients on the
 * classpath.
 */
final class BackendChoice {

  static final String MODE_KEY = "sluice.test.kafka";
  static final String IMAGE_KEY = "sluice.test.kafka-image";

  /** Docker detection must never hold up a test run on a machine without an engine. */
  static final Duration DETECTION_TIMEOUT = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(BackendChoice.class);

  enum Mode {
    AUTO,
    EMBEDDED,
    CONTAINER;

    static Mode parse(String value) {
      try {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            MODE_KEY + "=" + value + " is not one of auto, embedded, container", e);
      }
    }
  }

  private BackendChoice() {}

  static KafkaBackend start() {
    Mode mode = setting(MODE_KEY).map(Mode::parse).orElse(Mode.AUTO);
    String image = setting(IMAGE_KEY).orElse("apache/kafka:" + AppInfoParser.getVersion());
    String reason;
    boolean container;
    switch (mode) {
      case EMBEDDED -> {
        container = false;
        reason = MODE_KEY + "=embedded";
      }
      case CONTAINER -> {
        container = true;
        reason = MODE_KEY + "=container";
      }
      default -> {
        long detectionStarted = System.nanoTime();
        container =
            dockerAvailable(
                () -> DockerClientFactory.instance().isDockerAvailable(), DETECTION_TIMEOUT);
        reason =
            (container ? "a Docker engine is available" : "no Docker engine is available")
                + ", checked in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - detectionStarted)
                + " ms";
      }
    }
    long started = System.nanoTime();
    KafkaBackend backend = container ? ContainerBackend.start(image) : EmbeddedBackend.start();
    log.info(
        "Kafka for tests: {} at {}, started in {} ms ({})",
        backend.description(),
        backend.bootstrapServers(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
        reason);
    return backend;
  }

  /**
   * Runs Testcontainers' detection on a daemon thread so a wedged Docker socket cannot hang the
   * test JVM; a detection that fails or times out counts as "no Docker".
   */
  static boolean dockerAvailable(BooleanSupplier detection, Duration timeout) {
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-docker-detection");
              t.setDaemon(true);
              return t;
            });
    try {
      Future<Boolean> result = executor.submit(detection::getAsBoolean);
      return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("Docker detection took longer than {}; using the embedded broker", timeout);
      return false;
    } catch (ExecutionException e) {
      log.debug("Docker detection failed; using the embedded broker", e.getCause());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      executor.shutdownNow();
    }
  }

  private static Optional<String> setting(String key) {
    String value = System.getProperty(key);
    if (value == null || value.isBlank()) {
      value = System.getenv(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
    }
    return Optional.ofNullable(value).filter(v -> !v.isBlank());
  }
}
