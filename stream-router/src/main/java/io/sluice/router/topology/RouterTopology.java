package io.sluice.router.topology;

import io.sluice.avro.DeadLetter;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.RouteConfig;
import io.sluice.router.RouterMetrics;
import io.sluice.router.RouterSettings;
import io.sluice.router.batch.EncodedBatch;
import io.sluice.router.route.RouteStoreUpdater;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SchemaRegistries;
import io.sluice.schemas.serde.SerdeConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.state.Stores;

/**
 * The router's topology, built by a pure function from its settings:
 *
 * <pre>
 *  sluice\.requests\..*  ──> requests-source ──> route-requests ──┬─> batches-sink  (sluice.batches.&lt;deployment&gt;)
 *  (bytes, pattern)                 │ batch-buffer store        ├─> replies-sink  (reply topic of each request)
 *                                   │ routes-store (global)     └─> dlq-sink      (sluice.dlq.router)
 *  sluice.routes ──> routes-source ──> routes-updater ──> routes-store
 * </pre>
 */
public final class RouterTopology {
  public static final String REQUESTS_SOURCE = "requests-source";
  public static final String ROUTER = "route-requests";
  public static final String BUFFER_STORE = "batch-buffer";
  public static final String ROUTES_SOURCE = "routes-source";
  public static final String ROUTES_UPDATER = "routes-updater";
  public static final String ROUTES_STORE = "routes-store";
  public static final String BATCHES_SINK = "batches-sink";
  public static final String REPLIES_SINK = "replies-sink";
  public static final String DLQ_SINK = "dlq-sink";

  private RouterTopology() {}

  /** Builds the topology. */
  public static Topology build(RouterSettings settings, RouterMetrics metrics) {
    return build(new Topology(), settings, metrics);
  }

  /** Adds the router to a topology. */
  public static Topology build(Topology topology, RouterSettings settings, RouterMetrics metrics) {
    SerdeConfig serdeConfig = SerdeConfig.of(settings.schemaRegistryUrl());
    Serde<InferenceRequest> requestSerde = AvroSerde.of(InferenceRequest.class, serdeConfig, false);
    Serde<RouteConfig> routeSerde = AvroSerde.of(RouteConfig.class, serdeConfig, false);
    Serde<InferenceResponse> responseSerde =
        AvroSerde.of(InferenceResponse.class, serdeConfig, false);
    Serde<DeadLetter> deadLetterSerde = AvroSerde.of(DeadLetter.class, serdeConfig, false);

    topology.addGlobalStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(ROUTES_STORE), Serdes.String(), Serdes.ByteArray())
            .withLoggingDisabled(),
        ROUTES_SOURCE,
        new StringDeserializer(),
        new ByteArrayDeserializer(),
        Topics.ROUTES,
        ROUTES_UPDATER,
        () ->
            new RouteStoreUpdater(ROUTES_STORE, Topics.ROUTES, routeSerde.deserializer(), metrics));

    topology.addSource(
        REQUESTS_SOURCE,
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer(),
        settings.requestTopics());
    topology.addProcessor(
        ROUTER,
        () ->
            new RequestRouter(
                settings, metrics, requestSerde.deserializer(), routeSerde.deserializer()),
        REQUESTS_SOURCE);
    // In memory and changelogged: the buffer is small (pending batches only) and a restore reads
    // just the compacted changelog; the changelog is what makes a crash lose nothing. Cached: the
    // changelog gets each batch's value as of a commit (a tombstone for a batch opened and flushed
    // since the last one) instead of every rewrite; the cache is flushed to the changelog before
    // input offsets are committed, so crash safety is unchanged.
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(BUFFER_STORE), Serdes.String(), Serdes.ByteArray())
            .withLoggingEnabled(java.util.Map.of())
            .withCachingEnabled(),
        ROUTER);

    topology.addSink(
        BATCHES_SINK,
        RouterTopology.<EncodedBatch>toTopic(),
        new StringSerializer(),
        new BatchSerializer(
            SchemaRegistries.forUrl(serdeConfig.registryUrl(), serdeConfig.basicAuthUserInfo()),
            serdeConfig.autoRegister()),
        Partitioners.<EncodedBatch>roundRobin(),
        ROUTER);
    topology.addSink(
        REPLIES_SINK,
        RouterTopology.<InferenceResponse>toTopic(),
        new StringSerializer(),
        new OutboundSerializer<>(responseSerde.serializer()),
        Partitioners.<InferenceResponse>fixedOrByKey(),
        ROUTER);
    topology.addSink(
        DLQ_SINK,
        RouterTopology.<DeadLetter>toTopic(),
        new StringSerializer(),
        new OutboundSerializer<>(deadLetterSerde.serializer()),
        ROUTER);
    return topology;
  }

  private static <T> TopicNameExtractor<String, Outbound<T>> toTopic() {
    return (key, value, ctx) -> value.topic();
  }
}
