package io.sluice.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;

/**
 * The Kafka cluster shared by every integration test in this JVM. Tests receive it as a parameter
 * and isolate themselves by name, never by restarting the cluster:
 *
 * <pre>{@code
 * @SluiceKafka
 * class MyIT {
 *   @Test
 *   void roundTrip(KafkaCluster kafka) {
 *     String topic = kafka.createTopic(kafka.uniqueTopic("orders"), 3);
 *     try (var producer = new KafkaProducer<String, String>(kafka.producerProperties())) { ... }
 *   }
 * }
 * }</pre>
 */
public final class KafkaCluster implements AutoCloseable {

  private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private final KafkaBackend backend;
  private final Admin admin;

  KafkaCluster(KafkaBackend backend) {
    this.backend = backend;
    Properties adminProps = new Properties();
    adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, backend.bootstrapServers());
    adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-testkit-admin");
    this.admin = Admin.create(adminProps);
  }

  /** {@code host:port} list for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return backend.bootstrapServers();
  }

  /** Which Kafka this is (embedded broker or container), for messages. */
  public String description() {
    return backend.description();
  }

  /**
   * A topic name no other test in this JVM (or, with overwhelming probability, any other run) has
   * used: {@code prefix}, a sequence number and a random suffix. Illegal characters in the prefix
   * become {@code -}. The topic is not created.
   */
  public String uniqueTopic(String prefix) {
    return uniqueId(prefix);
  }

  /** A unique id, e.g. for {@code application.id}, {@code group.id} or {@code transactional.id}. */
  public String uniqueId(String prefix) {
    String clean = prefix.replaceAll("[^a-zA-Z0-9._-]", "-");
    if (clean.length() > 200) {
      clean = clean.substring(0, 200);
    }
    String random = UUID.randomUUID().toString().substring(0, 8);
    return clean + "-" + SEQUENCE.incrementAndGet() + "-" + random.toLowerCase(Locale.ROOT);
  }

  /**
   * Creates a topic with replication factor 1, unless it exists, and waits until every partition
   * has a leader.
   *
   * @return {@code name}, so that {@code createTopic(uniqueTopic("x"), 1)} reads naturally
   */
  public String createTopic(String name, int partitions) {
    createTopic(new NewTopic(name, partitions, (short) 1));
    return name;
  }

  /** Creates a topic with full control over its settings; see {@link #createTopic(String, int)}. */
  public void createTopic(NewTopic topic) {
    try {
      admin.createTopics(List.of(topic)).all().get(TOPIC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("Cannot create topic " + topic.name(), e.getCause());
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("Timed out creating topic " + topic.name(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted creating topic " + topic.name(), e);
    }
    Awaitility.await("leaders of " + topic.name())
        .atMost(TOPIC_TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(
            () ->
                admin
                    .describeTopics(List.of(topic.name()))
                    .allTopicNames()
                    .get(5, TimeUnit.SECONDS)
                    .get(topic.name())
                    .partitions()
                    .stream()
                    .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
  }

  /** An admin client shared by all tests; closed with the cluster, so do not close it. */
  public Admin admin() {
    return admin;
  }

  /**
   * Producer settings: bootstrap servers, {@code acks=all}, idempotence, String keys and values.
   * Returns a fresh copy each time; change serializers or add a {@code transactional.id} freely.
   */
  public Properties producerProperties() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(ProducerConfig.CLIENT_ID_CONFIG, uniqueId("producer"));
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    return props;
  }

  /**
   * Consumer settings for a new, unique consumer group: reads from the earliest offset, String keys
   * and values, no auto-commit.
   */
  public Properties consumerProperties() {
    return consumerProperties(uniqueId("group"));
  }

  /** Like {@link #consumerProperties()}, in the given consumer group. */
  public Properties consumerProperties(String groupId) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, uniqueId("consumer"));
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    return props;
  }

  /** Called once, when the test JVM's root extension context closes. */
  @Override
  public void close() {
    try {
      admin.close(Duration.ofSeconds(5));
    } finally {
      backend.close();
    }
  }
}
