package io.sluice.registry.store;

import java.util.Objects;

/**
 * One entry of the registry's log. The registry's whole state is the fold of these records in
 * order, so a store only has to keep them (latest per {@link #key()}) and hand them back on start.
 */
public sealed interface StoreRecord
    permits StoreRecord.SchemaVersion, StoreRecord.VersionTombstone, StoreRecord.Config {

  /** Records with the same key supersede each other; that is what lets the topic be compacted. */
  Key key();

  /**
   * The compaction key: a subject's version, or a subject's (or the global, {@code null}) config.
   */
  record Key(String keyType, String subject, Integer version) {}

  /**
   * A schema registered as {@code version} of {@code subject} under global id {@code id}; {@code
   * deleted} marks a soft delete.
   */
  record SchemaVersion(
      String subject, int version, int id, String schemaType, String schema, boolean deleted)
      implements StoreRecord {
    public SchemaVersion {
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(schemaType, "schemaType");
      Objects.requireNonNull(schema, "schema");
    }

    @Override
    public Key key() {
      return new Key("SCHEMA", subject, version);
    }

    public SchemaVersion asDeleted() {
      return new SchemaVersion(subject, version, id, schemaType, schema, true);
    }
  }

  /** A permanent delete of one version: on Kafka, a tombstone for the version's key. */
  record VersionTombstone(String subject, int version) implements StoreRecord {
    public VersionTombstone {
      Objects.requireNonNull(subject, "subject");
    }

    @Override
    public Key key() {
      return new Key("SCHEMA", subject, version);
    }
  }

  /**
   * A compatibility level for {@code subject}, or for the whole registry when {@code subject} is
   * {@code null}; a {@code null} level removes the subject's override.
   */
  record Config(String subject, String compatibilityLevel) implements StoreRecord {
    @Override
    public Key key() {
      return new Key("CONFIG", subject, null);
    }
  }
}
