package io.sluice.router.route;

import io.sluice.avro.RouteConfig;
import io.sluice.router.RouterMetrics;
import io.sluice.schemas.serde.WireFormatException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the global route store to the last VALID config of each app. An invalid or undecodable
 * config on {@code sluice.routes} is logged, counted and ignored, so the previous config stays in
 * force; a tombstone removes the app. Runs on restore too (Kafka Streams reprocesses global stores
 * through this processor), so a restart never resurrects an invalid config.
 *
 * <p>The store keeps the record's original bytes; {@link RouteLookup} compiles them once.
 */
public final class RouteStoreUpdater implements Processor<String, byte[], Void, Void> {
  private static final Logger log = LoggerFactory.getLogger(RouteStoreUpdater.class);

  private final String storeName;
  private final Deserializer<RouteConfig> deserializer;
  private final RouterMetrics metrics;
  private KeyValueStore<String, byte[]> store;
  private String topic;

  public RouteStoreUpdater(
      String storeName,
      String topic,
      Deserializer<RouteConfig> deserializer,
      RouterMetrics metrics) {
    this.storeName = storeName;
    this.topic = topic;
    this.deserializer = deserializer;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    String app = record.key();
    if (app == null) {
      log.warn("route config without a key (app) on {} ignored", topic);
      metrics.routeRejected(null);
      return;
    }
    if (record.value() == null) {
      log.info("route of app '{}' removed", app);
      store.delete(app);
      return;
    }
    RouteConfig config;
    try {
      config = deserializer.deserialize(topic, record.value());
    } catch (WireFormatException e) {
      reject(app, "undecodable: " + e.getMessage());
      return;
    }
    if (!app.equals(config.getApp())) {
      reject(app, "key '" + app + "' differs from the config's app '" + config.getApp() + "'");
      return;
    }
    try {
      CompiledRoute.compile(config);
    } catch (InvalidRouteException e) {
      reject(app, e.getMessage());
      return;
    }
    store.put(app, record.value());
    log.info("route of app '{}' now in force: {}", app, config);
  }

  private void reject(String app, String why) {
    metrics.routeRejected(app);
    log.error("route config for app '{}' rejected, the previous one stays in force: {}", app, why);
  }
}
