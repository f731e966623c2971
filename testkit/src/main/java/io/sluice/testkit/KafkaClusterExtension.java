package io.sluice.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a {@link KafkaCluster} parameter (constructor, lifecycle or test method). The cluster
 * is started on first use, shared by every test in the JVM, and stopped when JUnit closes the root
 * extension context at the end of the run.
 *
 * <p>It is a Testcontainers Kafka container where a Docker engine answers, otherwise a real KRaft
 * broker inside the test JVM; see {@code BackendChoice} for the {@code sluice.test.kafka} switch.
 * Use {@link SluiceKafka} on the test class, or {@code @ExtendWith(KafkaClusterExtension.class)}.
 */
public final class KafkaClusterExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KafkaClusterExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == KafkaCluster.class;
  }

  @Override
  public KafkaCluster resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return shared(context);
  }

  /** The JVM-wide cluster, started on first call. */
  public static KafkaCluster shared(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(KafkaCluster.class, k -> new ClosingCluster(), ClosingCluster.class)
        .cluster;
  }

  /** Ties the cluster's life to the root store, which closes it at the end of the test run. */
  private static final class ClosingCluster implements ExtensionContext.Store.CloseableResource {
    private final KafkaCluster cluster;

    ClosingCluster() {
      KafkaBackend backend = BackendChoice.start();
      try {
        cluster = new KafkaCluster(backend);
      } catch (RuntimeException e) {
        backend.close();
        throw e;
      }
    }

    @Override
    public void close() {
      cluster.close();
    }
  }
}
