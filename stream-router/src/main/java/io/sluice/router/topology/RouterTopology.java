package io.sluice.router.topology;

import io.sluice.avro.DeadLetter;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.RouteConfig;
import io.sluice.router.RouterMetrics;
import io.sluice.router.route.RouteStoreUpdater;
import io.sluice.schemas.Topics;
import io.sluice.schemas.registry.SchemaRegistryClient;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SchemaRegistries;
import io.sluice.schemas.serde.SerdeConfig;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.state.Stores;

/**
 * The router's topology, built by a pure function from its settings. Two sub-topologies, so that
 * request topics may have any partition count:
 *
 * <pre>
 *  sluice\.requests\..*  ─> requests-source ─> route-requests ─┬─ intake-routed ─> routed-values ─> [&lt;app-id&gt;-routed-repartition, sluice.router.partitions]
 *  (bytes, pattern, stateless)   routes-store (global)        └─ intake-outbound ─> intake-sink (error replies, dead letters)
 *
 *  sluice.pipeline.replies ─> pipeline-source ─> run-pipelines ─┬─ pipeline-steps ─> [&lt;app-id&gt;-pipeline-steps-repartition]
 *  (starts from the intake,     (pattern: absent     pipeline-runs, └─ pipeline-sink (answers, chunks, dead letters)
 *   step replies from workers)   until applied)       pipeline-deadlines (changelogged), routes-store
 *
 *  routed-repartition ─┬─ batch-inputs ─> batch-requests ─> batcher-sink (sluice.batches.&lt;deployment&gt;, expiry replies, dead letters)
 *  pipeline-steps-repartition ┘             batch-buffer store (changelogged), routes-store (global)
 *
 *  sluice.routes ─> routes-source ─> routes-updater ─> routes-store
 * </pre>
 *
 * <p>The intake's task count follows the request topics (the most partitions of any of them) and it
 * has no state, so a topic with more partitions just adds stateless tasks. The batcher's task count
 * is the repartition topic's fixed partition count, so its changelog never has to match a request
 * topic. Routed requests (and pipeline steps) are keyed by their deployment: all of a deployment's
 * requests meet in one batching task, so its batches fill as fully as its traffic allows, and a
 * key's requests, which its sticky split sends to one deployment, reach that task in order.
 *
 * <p>Pipelines (docs/PIPELINES.md): the intake writes a pipeline request's start to {@code
 * sluice.pipeline.replies} on the partition of its run; step requests go to the batcher like any
 * routed request, and workers answer them on that same partition, so a run's start and its step
 * replies always meet in one task, whatever the partition count of any other topic.
 */
public final class RouterTopology {
  public static final String REQUESTS_SOURCE = "requests-source";
  public static final String ROUTER = "route-requests";
  public static final String INTAKE_SPLIT = "intake-";
  public static final String ROUTED_VALUES = "routed-values";
  public static final String ROUTED = "routed";
  public static final String BATCHER = "batch-requests";
  public static final String BUFFER_STORE = "batch-buffer";
  public static final String ROUTES_SOURCE = "routes-source";
  public static final String ROUTES_UPDATER = "routes-updater";
  public static final String ROUTES_STORE = "routes-store";
  public static final String INTAKE_SINK = "intake-sink";
  public static final String BATCHER_SINK = "batcher-sink";
  public static final String PIPELINE_SOURCE = "pipeline-source";
  public static final String PIPELINES = "run-pipelines";
  public static final String PIPELINE_SPLIT = "pipeline-";
  public static final String PIPELINE_STEPS = "pipeline-steps";
  public static final String PIPELINE_SINK = "pipeline-sink";
  public static final String BATCH_INPUTS = "batch-inputs";
  public static final String PIPELINE_RUNS_STORE = "pipeline-runs";
  public static final String PIPELINE_DEADLINES_STORE = "pipeline-deadlines";

  /**
   * Name of the repartition topic, after the application id: {@code <app-id>-routed-repartition}.
   */
  public static final String REPARTITION_SUFFIX = "-" + ROUTED + "-repartition";

  /** Name of the buffer changelog, after the application id. */
  public static final String CHANGELOG_SUFFIX = "-" + BUFFER_STORE + "-changelog";

  /** The topic name the routed requests' schema is registered under (subject {@code ...-value}). */
  static final String ROUTED_SUBJECT_TOPIC = "sluice.router.routed";

  private RouterTopology() {}

  /** Builds the topology; reply destinations are not checked for existence (tests). */
  public static Topology build(TopologySettings settings, RouterMetrics metrics) {
    return build(settings, metrics, topic -> OptionalInt.of(Integer.MAX_VALUE));
  }

  /** Builds the topology, checking reply destinations with {@code topics}. */
  public static Topology build(
      TopologySettings settings, RouterMetrics metrics, TopicPartitions topics) {
    SerdeConfig serdeConfig = settings.serde();
    Serde<InferenceRequest> requestSerde = AvroSerde.of(InferenceRequest.class, serdeConfig, false);
    Serde<RouteConfig> routeSerde = AvroSerde.of(RouteConfig.class, serdeConfig, false);
    Serde<InferenceResponse> responseSerde =
        AvroSerde.of(InferenceResponse.class, serdeConfig, false);
    Serde<DeadLetter> deadLetterSerde = AvroSerde.of(DeadLetter.class, serdeConfig, false);
    BatchEnvelope envelope = new BatchEnvelope(settings.maxMessageBytes());
    SchemaRegistryClient registry = SchemaRegistries.forConfig(serdeConfig);
    OutboundSerializer outbound =
        new OutboundSerializer(
            new BatchSerializer(registry, serdeConfig.autoRegister()),
            responseSerde.serializer(),
            deadLetterSerde.serializer());
    // Outbound records are only ever written by the router, never read back.
    Serde<Outbound<?>> outboundSerde =
        Serdes.serdeFrom(
            outbound,
            (topic, data) -> {
              throw new UnsupportedOperationException("outbound records are not read back");
            });

    StreamsBuilder builder = new StreamsBuilder();
    builder.addGlobalStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(ROUTES_STORE), Serdes.String(), Serdes.ByteArray())
            .withLoggingDisabled(),
        Topics.ROUTES,
        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(ROUTES_SOURCE),
        () ->
            new RouteStoreUpdater(ROUTES_STORE, Topics.ROUTES, routeSerde.deserializer(), metrics));

    // In memory and changelogged: the buffer is small (pending batches only) and a restore reads
    // just the compacted changelog; the changelog is what makes a crash lose nothing. Cached: the
    // changelog gets each batch's value as of a commit (a tombstone for a batch opened and flushed
    // since the last one) instead of every rewrite; the cache is flushed to the changelog before
    // input offsets are committed, so crash safety is unchanged.
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(BUFFER_STORE), Serdes.String(), Serdes.ByteArray())
            .withLoggingEnabled(Map.of())
            .withCachingEnabled());
    KStream<String, Outbound<?>> intake =
        builder.stream(
                settings.requestTopics(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(REQUESTS_SOURCE))
            .process(
                () ->
                    new RequestIntake(
                        settings,
                        metrics,
                        requestSerde.deserializer(),
                        requestSerde.serializer(),
                        registry,
                        routeSerde.deserializer(),
                        topics,
                        envelope),
                Named.as(ROUTER));
    Produced<String, Outbound<?>> intakeOut =
        Produced.with(Serdes.String(), outboundSerde)
            .withStreamPartitioner(Partitioners.outbound())
            .withName(INTAKE_SINK);
    Map<String, KStream<String, Outbound<?>>> intakeParts =
        intake
            .split(Named.as(INTAKE_SPLIT))
            .branch((k, v) -> v.value() instanceof Routed, Branched.as("routed"))
            .defaultBranch(Branched.as("outbound"));
    intakeParts.get(INTAKE_SPLIT + "outbound").to(RouterTopology.toTopic(), intakeOut);
    KStream<String, byte[]> routed =
        intakeParts
            .get(INTAKE_SPLIT + "routed")
            .mapValues(v -> ((Routed) v.value()).wire(), Named.as(ROUTED_VALUES))
            .repartition(
                Repartitioned.with(Serdes.String(), Serdes.ByteArray())
                    .withName(ROUTED)
                    .withNumberOfPartitions(settings.partitions()));

    // Pipelines: starts and step replies share one router-owned topic, subscribed by pattern so
    // that a router whose apps have no pipeline runs without it.
    for (String store : List.of(PIPELINE_RUNS_STORE, PIPELINE_DEADLINES_STORE)) {
      builder.addStateStore(
          Stores.keyValueStoreBuilder(
                  Stores.inMemoryKeyValueStore(store), Serdes.String(), Serdes.ByteArray())
              .withLoggingEnabled(Map.of())
              .withCachingEnabled());
    }
    Map<String, KStream<String, Outbound<?>>> pipelineParts =
        builder.stream(
                Pattern.compile(Pattern.quote(Topics.PIPELINE_REPLIES)),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(PIPELINE_SOURCE))
            .process(
                () ->
                    new PipelineProcessor(
                        settings,
                        metrics,
                        requestSerde.deserializer(),
                        requestSerde.serializer(),
                        responseSerde.deserializer(),
                        routeSerde.deserializer(),
                        envelope),
                Named.as(PIPELINES),
                PIPELINE_RUNS_STORE,
                PIPELINE_DEADLINES_STORE)
            .split(Named.as(PIPELINE_SPLIT))
            .branch((k, v) -> v.value() instanceof Routed, Branched.as("steps"))
            .defaultBranch(Branched.as("outbound"));
    pipelineParts
        .get(PIPELINE_SPLIT + "outbound")
        .to(
            RouterTopology.toTopic(),
            Produced.with(Serdes.String(), outboundSerde)
                .withStreamPartitioner(Partitioners.outbound())
                .withName(PIPELINE_SINK));
    KStream<String, byte[]> steps =
        pipelineParts
            .get(PIPELINE_SPLIT + "steps")
            .mapValues(v -> ((Routed) v.value()).wire(), Named.as(PIPELINE_STEPS + "-values"))
            .repartition(
                Repartitioned.with(Serdes.String(), Serdes.ByteArray())
                    .withName(PIPELINE_STEPS)
                    .withNumberOfPartitions(settings.partitions()));

    routed
        .merge(steps, Named.as(BATCH_INPUTS))
        .process(
            () ->
                new BatchingProcessor(
                    settings,
                    metrics,
                    requestSerde.deserializer(),
                    routeSerde.deserializer(),
                    envelope),
            Named.as(BATCHER),
            BUFFER_STORE)
        .to(RouterTopology.toTopic(), batcherOut(outboundSerde));

    return builder.build();
  }

  private static Produced<String, Outbound<?>> batcherOut(Serde<Outbound<?>> serde) {
    return Produced.with(Serdes.String(), serde)
        .withStreamPartitioner(Partitioners.outbound())
        .withName(BATCHER_SINK);
  }

  private static TopicNameExtractor<String, Outbound<?>> toTopic() {
    return (key, value, ctx) -> value.topic();
  }
}
