package io.sluice.registry.store;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encodes {@link StoreRecord}s as JSON key/value pairs for the {@code _schemas} topic. The layout
 * follows the shape Confluent's registry uses for its own topic ({@code keytype}, {@code subject},
 * {@code version}), so that someone reading the topic with a console consumer finds what they
 * expect; deletes of a key are tombstones (null value).
 */
public final class StoreRecordCodec {

  private static final Logger LOG = LoggerFactory.getLogger(StoreRecordCodec.class);
  private static final String SCHEMA = "SCHEMA";
  private static final String CONFIG = "CONFIG";

  private StoreRecordCodec() {}

  public static byte[] encodeKey(StoreRecord record) {
    StoreRecord.Key key = record.key();
    // Fields always in the same order, nulls included: equal keys must be equal bytes to compact.
    JsonObject json = new JsonObject().put("keytype", key.keyType()).put("subject", key.subject());
    if (SCHEMA.equals(key.keyType())) {
      json.put("version", key.version());
    }
    return json.encode().getBytes(StandardCharsets.UTF_8);
  }

  /** The value bytes, or {@code null} for a tombstone. */
  public static byte[] encodeValue(StoreRecord record) {
    JsonObject json;
    if (record instanceof StoreRecord.SchemaVersion v) {
      json =
          new JsonObject()
              .put("subject", v.subject())
              .put("version", v.version())
              .put("id", v.id())
              .put("schemaType", v.schemaType())
              .put("schema", v.schema())
              .put("deleted", v.deleted());
    } else if (record instanceof StoreRecord.Config c) {
      if (c.compatibilityLevel() == null) {
        return null;
      }
      json = new JsonObject().put("compatibilityLevel", c.compatibilityLevel());
    } else {
      return null;
    }
    return json.encode().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Decodes one topic record; empty for key types this version does not know (written by a newer
   * registry), which are skipped with a warning rather than failing the start.
   *
   * @throws IllegalArgumentException if the bytes are not a record this codec wrote
   */
  public static Optional<StoreRecord> decode(byte[] keyBytes, byte[] valueBytes) {
    try {
      JsonObject key = new JsonObject(new String(keyBytes, StandardCharsets.UTF_8));
      String keyType = key.getString("keytype");
      String subject = key.getString("subject");
      if (!SCHEMA.equals(keyType) && !CONFIG.equals(keyType)) {
        LOG.warn("Skipping a schema-store record of unknown key type {}", keyType);
        return Optional.empty();
      }
      JsonObject value =
          valueBytes == null
              ? null
              : new JsonObject(new String(valueBytes, StandardCharsets.UTF_8));
      if (SCHEMA.equals(keyType)) {
        int version = key.getInteger("version");
        if (value == null) {
          return Optional.of(new StoreRecord.VersionTombstone(subject, version));
        }
        return Optional.of(
            new StoreRecord.SchemaVersion(
                subject,
                version,
                value.getInteger("id"),
                value.getString("schemaType", "AVRO"),
                value.getString("schema"),
                value.getBoolean("deleted", false)));
      }
      return Optional.of(
          new StoreRecord.Config(
              subject, value == null ? null : value.getString("compatibilityLevel")));
    } catch (DecodeException | ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException("Not a schema-store record: " + e.getMessage(), e);
    }
  }
}
