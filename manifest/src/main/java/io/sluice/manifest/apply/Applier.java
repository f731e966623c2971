package io.sluice.manifest.apply;

import io.sluice.avro.RouteConfig;
import io.sluice.manifest.Manifest;
import io.sluice.manifest.RouteConfigs;
import io.sluice.manifest.TopicPlan;
import io.sluice.manifest.TopicPlan.TopicSpec;
import io.sluice.schemas.Topics;
import io.sluice.schemas.registry.SchemaRegistryClient;
import io.sluice.schemas.registry.SchemaRegistryException;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Makes a cluster match a manifest, idempotently: creates the topics that are missing with the
 * declared partitions, adds partitions to those with too few (never removes any: Kafka cannot),
 * registers the value schema of every topic so a foreign producer can fetch it before the first
 * request, and publishes the route of every app whose route in force differs. A second run finds
 * nothing to do. Apps in force but not in the manifest are left alone (reported by {@link
 * #unmanagedApps}).
 *
 * <pre>{@code
 * try (Applier applier = Applier.create(kafkaSettings, registry, serdeConfig)) {
 *   List<Change> planned = applier.plan(manifest); // what would change
 *   List<Change> done = applier.apply(manifest);   // change it
 * }
 * }</pre>
 */
public final class Applier implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Map<String, Object> kafka;
  private final Admin admin;
  private final SchemaRegistryClient registry;
  private final AvroSerde<RouteConfig> routeSerde;

  private Applier(
      Map<String, Object> kafka, SchemaRegistryClient registry, SerdeConfig serdeConfig) {
    this.kafka = Map.copyOf(kafka);
    this.admin = Admin.create(this.kafka);
    this.registry = registry;
    this.routeSerde = AvroSerde.of(RouteConfig.class, serdeConfig, false);
  }

  /**
   * An applier over the given Kafka client settings (bootstrap servers and any security keys) and
   * schema registry.
   */
  public static Applier create(
      Map<String, Object> kafkaClientSettings,
      SchemaRegistryClient registry,
      SerdeConfig serdeConfig) {
    return new Applier(kafkaClientSettings, registry, serdeConfig);
  }

  /** The changes {@link #apply} would make now, in the order it makes them. */
  public List<Change> plan(Manifest m) {
    return diff(m).changes();
  }

  /** Makes the changes and returns them; empty when the cluster already matches. */
  public List<Change> apply(Manifest m) {
    Diff d = diff(m);
    if (!d.create().isEmpty()) {
      createTopics(d.create());
    }
    if (!d.grow().isEmpty()) {
      Map<String, NewPartitions> grow = new LinkedHashMap<>();
      d.grow().forEach(t -> grow.put(t.name(), NewPartitions.increaseTo(t.partitions())));
      await(admin.createPartitions(grow).all(), "add partitions to " + grow.keySet());
    }
    for (TopicSpec t : d.register()) {
      registry.register(SchemaRegistryClient.subjectFor(t.name(), false), t.valueSchema());
    }
    if (!d.routes().isEmpty()) {
      publish(d.routes());
    }
    return d.changes();
  }

  /** Apps whose route is in force but which the manifest does not declare. */
  public List<String> unmanagedApps(Manifest m) {
    return routesInForce().keySet().stream().filter(app -> !m.apps().containsKey(app)).toList();
  }

  /** The route config in force per app (from {@code sluice.routes}). */
  public Map<String, RouteConfig> routesInForce() {
    return RouteTopic.readAll(kafka, routeSerde.deserializer(), TIMEOUT);
  }

  /** Partitions of each existing topic. */
  public Map<String, Integer> topics() {
    Set<String> names = await(admin.listTopics().names(), "list topics");
    Map<String, TopicDescription> described =
        names.isEmpty()
            ? Map.of()
            : await(admin.describeTopics(names).allTopicNames(), "describe topics");
    Map<String, Integer> partitions = new LinkedHashMap<>();
    described.forEach((name, t) -> partitions.put(name, t.partitions().size()));
    return partitions;
  }

  private record Diff(
      List<TopicSpec> create,
      List<TopicSpec> grow,
      Map<String, Integer> had,
      List<TopicSpec> register,
      List<RouteConfig> routes) {
    List<Change> changes() {
      List<Change> c = new ArrayList<>();
      create.forEach(
          t ->
              c.add(
                  new Change(
                      Change.Kind.CREATE_TOPIC,
                      t.name(),
                      t.partitions() + (t.partitions() == 1 ? " partition" : " partitions"))));
      grow.forEach(
          t ->
              c.add(
                  new Change(
                      Change.Kind.ADD_PARTITIONS,
                      t.name(),
                      had.get(t.name()) + " -> " + t.partitions() + " partitions")));
      register.forEach(
          t ->
              c.add(
                  new Change(
                      Change.Kind.REGISTER_SCHEMA,
                      SchemaRegistryClient.subjectFor(t.name(), false),
                      t.valueSchema().getFullName())));
      routes.forEach(
          r ->
              c.add(
                  new Change(
                      Change.Kind.SET_ROUTE,
                      r.getApp(),
                      r.getVariants().stream()
                          .map(
                              v ->
                                  v.getName()
                                      + "="
                                      + (v.getPipeline() == null
                                          ? v.getDeployment()
                                          : "pipeline " + v.getPipeline())
                                      + " ("
                                      + v.getWeight()
                                      + ")")
                          .toList()
                          .toString())));
      return c;
    }
  }

  private Diff diff(Manifest m) {
    Map<String, Integer> existing = topics();
    List<TopicSpec> create = new ArrayList<>();
    List<TopicSpec> grow = new ArrayList<>();
    List<TopicSpec> register = new ArrayList<>();
    for (TopicSpec t : TopicPlan.of(m)) {
      Integer has = existing.get(t.name());
      if (has == null) {
        create.add(t);
      } else if (has < t.partitions()) {
        grow.add(t);
      }
      if (t.valueSchema() != null
          && !registered(SchemaRegistryClient.subjectFor(t.name(), false), t)) {
        register.add(t);
      }
    }
    Map<String, RouteConfig> inForce = routesInForce();
    List<RouteConfig> routes = new ArrayList<>();
    for (RouteConfig r : RouteConfigs.of(m, Instant.now())) {
      RouteConfig current = inForce.get(r.getApp());
      if (current == null || !RouteConfigs.sameRoute(current, r)) {
        routes.add(r);
      }
    }
    return new Diff(create, grow, existing, register, routes);
  }

  private boolean registered(String subject, TopicSpec t) {
    try {
      registry.lookup(subject, t.valueSchema());
      return true;
    } catch (SchemaRegistryException e) {
      if (e.httpStatus() == 404) {
        return false;
      }
      throw e;
    }
  }

  private void createTopics(List<TopicSpec> topics) {
    List<NewTopic> news =
        topics.stream()
            .map(
                t ->
                    new NewTopic(t.name(), Optional.of(t.partitions()), Optional.empty())
                        .configs(t.configs()))
            .toList();
    try {
      admin.createTopics(news).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      // Another apply (or the router) created one meanwhile: the next plan sees it.
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create topics: " + e.getCause(), e.getCause());
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("timed out creating topics after " + TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted creating topics", e);
    }
  }

  private void publish(List<RouteConfig> routes) {
    Map<String, Object> p = new LinkedHashMap<>(kafka);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) TIMEOUT.toMillis());
    try (KafkaProducer<String, RouteConfig> producer =
        new KafkaProducer<>(p, new StringSerializer(), routeSerde.serializer())) {
      for (RouteConfig r : routes) {
        await(
            producer.send(new ProducerRecord<>(Topics.ROUTES, r.getApp(), r)),
            "set route " + r.getApp());
      }
    }
  }

  private static <T> T await(java.util.concurrent.Future<T> f, String what) {
    try {
      return f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot " + what + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("timed out after " + TIMEOUT + ": " + what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + what, e);
    }
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
