package io.sluice.router.cli;

import io.sluice.avro.RouteConfig;
import io.sluice.common.config.ConfigFlags;
import io.sluice.common.config.ConnectionKeys;
import io.sluice.common.config.SluiceConfig;
import io.sluice.router.RouterApp;
import io.sluice.router.RouterConfig;
import io.sluice.router.route.InvalidRouteException;
import io.sluice.router.route.RouteFiles;
import io.sluice.schemas.Topics;
import io.sluice.schemas.pipeline.PipelineGraph;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice routes set FILE} and {@code sluice routes get APP}. */
@Command(
    name = "routes",
    mixinStandardHelpOptions = true,
    description = "Set or show the route config of an app (topic sluice.routes).",
    subcommands = {RoutesCommand.Set.class, RoutesCommand.Get.class})
public final class RoutesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 2;
  }

  /** Parses, validates and publishes a route file; creates the app's topics if missing. */
  @Command(
      name = "set",
      mixinStandardHelpOptions = true,
      description =
          "Change the route of an app whose topics exist (from `sluice apply`), from a YAML or"
              + " JSON route file. Declaring apps belongs in the manifest; this is for quick"
              + " experiments on a running stack.")
  public static final class Set implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ConfigFlags config = new ConfigFlags();

    @Parameters(paramLabel = "FILE", description = "Route file (YAML or JSON).")
    Path file;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      RouteConfig route;
      try {
        route = RouteFiles.parse(Files.readString(file), System.currentTimeMillis());
      } catch (IOException e) {
        err.println("cannot read " + file + ": " + e.getMessage());
        return 1;
      } catch (InvalidRouteException e) {
        err.println("route file " + file + " rejected, nothing changed:");
        e.problems().forEach(p -> err.println("  - " + p));
        return 1;
      }
      return config.run(
          RouterConfig.connection(),
          c -> c,
          c -> {
            // Topics come from `sluice apply` with the partitions the manifest declares; creating
            // them here would take the broker's default partition count.
            List<String> missing = missingTopics(c, route);
            if (!missing.isEmpty()) {
              err.println(
                  "route of app '"
                      + route.getApp()
                      + "' not set: topics "
                      + missing
                      + " do not exist. Declare the app and its deployments in a manifest and run"
                      + " `sluice apply -f sluice.yaml` (it creates them and sets the route).");
              return 1;
            }
            publish(c, route);
            out.println("route of app '" + route.getApp() + "' set: " + route);
            return 0;
          });
    }
  }

  /** Prints the route config in force for an app. */
  @Command(name = "get", mixinStandardHelpOptions = true, description = "Show an app's route.")
  public static final class Get implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ConfigFlags config = new ConfigFlags();

    @Parameters(paramLabel = "APP")
    String app;

    @Override
    public Integer call() throws Exception {
      return config.run(
          RouterConfig.connection(),
          c -> c,
          c -> {
            Optional<RouteConfig> route = read(c, app);
            if (route.isEmpty()) {
              spec.commandLine().getErr().println("no route for app '" + app + "'");
              return 1;
            }
            spec.commandLine().getOut().println(route.get());
            return 0;
          });
    }
  }

  /**
   * Publishes a (validated) route keyed by app, after creating the topics it will need: the routes
   * topic, the batch topic of every deployment, the app's request, reply and shadow topics.
   */
  public static void publish(SluiceConfig c, RouteConfig route) throws Exception {
    Properties ap = new Properties();
    ap.putAll(ConnectionKeys.clientSettings(c));
    try (Admin admin = Admin.create(ap)) {
      RouterApp.createIfMissing(
          admin,
          new NewTopic(Topics.ROUTES, Optional.of(1), Optional.empty())
              .configs(
                  Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
      java.util.Set<String> topics = new HashSet<>();
      topics.add(Topics.requests(route.getApp()));
      topics.add(Topics.responses(route.getApp()));
      topics.add(Topics.shadowResponses(route.getApp()));
      topics.addAll(deploymentTopics(route));
      for (String t : topics) {
        RouterApp.createIfMissing(admin, new NewTopic(t, Optional.empty(), Optional.empty()));
      }
    }
    Properties pp = new Properties();
    pp.putAll(ConnectionKeys.clientSettings(c));
    pp.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, RouteConfig> producer =
        new KafkaProducer<>(
            pp,
            new StringSerializer(),
            AvroSerde.of(
                    RouteConfig.class, SerdeConfig.from(ConnectionKeys.registrySettings(c)), false)
                .serializer())) {
      producer
          .send(new ProducerRecord<>(Topics.ROUTES, route.getApp(), route))
          .get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * The batch topic of every deployment the route sends to, directly or as a pipeline step, and the
   * pipeline topic if it runs a pipeline.
   */
  static java.util.Set<String> deploymentTopics(RouteConfig route) {
    java.util.Set<String> out = new java.util.LinkedHashSet<>();
    route.getVariants().stream()
        .filter(v -> v.getPipeline() == null)
        .forEach(v -> out.add(Topics.batches(v.getDeployment())));
    route.getShadows().stream()
        .filter(s -> s.getPipeline() == null)
        .forEach(s -> out.add(Topics.batches(s.getDeployment())));
    if (route.getPipelines() != null && !route.getPipelines().isEmpty()) {
      out.add(Topics.PIPELINE_REPLIES);
      route
          .getPipelines()
          .forEach(
              (name, json) ->
                  PipelineGraph.parse(name, json)
                      .deployments()
                      .forEach(d -> out.add(Topics.batches(d))));
    }
    return out;
  }

  /** The request and batch topics a route needs that do not exist. */
  static List<String> missingTopics(SluiceConfig c, RouteConfig route) throws Exception {
    Properties ap = new Properties();
    ap.putAll(ConnectionKeys.clientSettings(c));
    java.util.Set<String> needed = new java.util.LinkedHashSet<>();
    needed.add(Topics.requests(route.getApp()));
    needed.addAll(deploymentTopics(route));
    try (Admin admin = Admin.create(ap)) {
      java.util.Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      return needed.stream().filter(t -> !existing.contains(t)).toList();
    }
  }

  /** Reads sluice.routes to its end and returns the app's last config. */
  public static Optional<RouteConfig> read(SluiceConfig c, String app) {
    Properties p = new Properties();
    p.putAll(ConnectionKeys.clientSettings(c));
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    var deserializer =
        AvroSerde.of(RouteConfig.class, SerdeConfig.from(ConnectionKeys.registrySettings(c)), false)
            .deserializer();
    byte[] last = null;
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          consumer.partitionsFor(Topics.ROUTES).stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (app.equals(r.key())) {
            last = r.value();
          }
        }
      }
    }
    return last == null
        ? Optional.empty()
        : Optional.of(deserializer.deserialize(Topics.ROUTES, last));
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new RoutesCommand()).execute(args));
  }
}
