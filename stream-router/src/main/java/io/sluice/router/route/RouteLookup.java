package io.sluice.router.route;

import io.sluice.avro.RouteConfig;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.WireFormatException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads an app's route from the global store and compiles it once per version. Belongs to one task
 * (not thread-safe). If the stored bytes ever fail to compile, the last compiled version stays in
 * force.
 */
public final class RouteLookup {
  private record Entry(byte[] raw, CompiledRoute route) {}

  private final ReadOnlyKeyValueStore<String, byte[]> store;
  private final Deserializer<RouteConfig> deserializer;
  private final Map<String, Entry> cache = new HashMap<>();

  public RouteLookup(
      ReadOnlyKeyValueStore<String, byte[]> store, Deserializer<RouteConfig> deserializer) {
    this.store = store;
    this.deserializer = deserializer;
  }

  /** The route of an app, or {@code null} if it has none. */
  public CompiledRoute find(String app) {
    byte[] raw = store.get(app);
    if (raw == null) {
      cache.remove(app);
      return null;
    }
    Entry e = cache.get(app);
    if (e != null && (e.raw == raw || Arrays.equals(e.raw, raw))) {
      return e.route;
    }
    try {
      CompiledRoute route = CompiledRoute.compile(deserializer.deserialize(Topics.ROUTES, raw));
      cache.put(app, new Entry(raw, route));
      return route;
    } catch (WireFormatException | InvalidRouteException ex) {
      // The updater stores only valid configs; keep the last good one if that ever fails.
      return e == null ? null : e.route;
    }
  }
}
