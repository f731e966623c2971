package io.sluice.registry.internal;

import io.sluice.registry.CompatibilityLevel;
import io.sluice.registry.store.StoreRecord;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's in-memory state: the fold of the store's records. Not thread-safe; {@link
 * SchemaRegistry} guards it.
 */
final class RegistryState {

  private static final Logger LOG = LoggerFactory.getLogger(RegistryState.class);

  /** A schema known under a global id. */
  public record StoredSchema(int id, String schemaType, String canonical, Schema schema) {}

  /** One version of a subject. */
  public record Version(String subject, int version, int id, boolean deleted) {}

  final Map<Integer, StoredSchema> schemasById = new HashMap<>();
  final Map<String, Integer> idsByCanonical = new HashMap<>();
  final Map<String, TreeMap<Integer, Version>> subjects = new TreeMap<>();
  final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
  final CompatibilityLevel defaultLevel;
  CompatibilityLevel globalLevel;
  int maxId;

  RegistryState(CompatibilityLevel defaultLevel) {
    this.defaultLevel = defaultLevel;
    this.globalLevel = defaultLevel;
  }

  void apply(StoreRecord record) {
    if (record instanceof StoreRecord.SchemaVersion v) {
      Integer known = idsByCanonical.get(v.schema());
      if (known == null && !schemasById.containsKey(v.id())) {
        // The store keeps the canonical text, so parsing it back cannot fail for our own records.
        Schema schema = AvroSchemas.parse(v.schema());
        schemasById.put(v.id(), new StoredSchema(v.id(), v.schemaType(), v.schema(), schema));
        idsByCanonical.put(v.schema(), v.id());
      } else if (known != null && known != v.id()) {
        LOG.warn(
            "Schema of {} v{} stored under id {} but known as {}",
            v.subject(),
            v.version(),
            v.id(),
            known);
      }
      maxId = Math.max(maxId, v.id());
      subjects
          .computeIfAbsent(v.subject(), s -> new TreeMap<>())
          .put(v.version(), new Version(v.subject(), v.version(), v.id(), v.deleted()));
    } else if (record instanceof StoreRecord.VersionTombstone t) {
      TreeMap<Integer, Version> versions = subjects.get(t.subject());
      if (versions != null) {
        versions.remove(t.version());
        if (versions.isEmpty()) {
          subjects.remove(t.subject());
        }
      }
    } else if (record instanceof StoreRecord.Config c) {
      CompatibilityLevel level =
          c.compatibilityLevel() == null
              ? null
              : CompatibilityLevel.parse(c.compatibilityLevel()).orElse(null);
      if (c.compatibilityLevel() != null && level == null) {
        LOG.warn("Ignoring unknown compatibility level {} in the store", c.compatibilityLevel());
      } else if (c.subject() == null) {
        globalLevel = level == null ? defaultLevel : level;
      } else if (level == null) {
        subjectLevels.remove(c.subject());
      } else {
        subjectLevels.put(c.subject(), level);
      }
    }
  }
}
