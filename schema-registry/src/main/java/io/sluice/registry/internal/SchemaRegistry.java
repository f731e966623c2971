package io.sluice.registry.internal;

import io.sluice.registry.CompatibilityLevel;
import io.sluice.registry.internal.RegistryState.StoredSchema;
import io.sluice.registry.internal.RegistryState.Version;
import io.sluice.registry.store.SchemaStore;
import io.sluice.registry.store.SchemaStoreException;
import io.sluice.registry.store.StoreRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.apache.avro.Schema;

/**
 * The registry's operations, independent of HTTP. Every change is appended to the {@link
 * SchemaStore} and acknowledged before it is applied in memory and answered, so an answer the
 * client saw survives a restart. Writes are serialised by a lock (one writer, as the store
 * assumes); reads run concurrently with each other.
 */
public final class SchemaRegistry {

  private final SchemaStore store;
  private final Duration writeTimeout;
  private final RegistryState state;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();

  /** A version of a subject with its schema, as GET /subjects/{s}/versions/{v} returns it. */
  public record SubjectVersion(
      String subject, int version, int id, String schemaType, String schema) {}

  /** Outcome of a compatibility check; {@code messages} explain an incompatibility. */
  public record Compatibility(boolean compatible, List<String> messages) {}

  public SchemaRegistry(SchemaStore store, CompatibilityLevel defaultLevel, Duration writeTimeout) {
    this.store = store;
    this.writeTimeout = writeTimeout;
    this.state = new RegistryState(defaultLevel);
  }

  /** Rebuilds the state from the store; call once before serving. */
  public void load(Duration timeout) {
    write(
        () -> {
          store.load(state::apply, timeout);
          return null;
        });
  }

  // ---- schemas by id ------------------------------------------------------------------------

  public StoredSchema schemaById(int id) {
    return read(() -> schema(id));
  }

  public List<String> subjectsOfId(int id, boolean includeDeleted) {
    return read(
        () -> {
          schema(id);
          List<String> subjects = new ArrayList<>();
          for (Version v : versionsOfId(id, includeDeleted)) {
            if (!subjects.contains(v.subject())) {
              subjects.add(v.subject());
            }
          }
          return subjects;
        });
  }

  public List<Version> versionsOfId(int id, boolean includeDeleted, boolean checkExists) {
    return read(
        () -> {
          if (checkExists) {
            schema(id);
          }
          return versionsOfId(id, includeDeleted);
        });
  }

  private List<Version> versionsOfId(int id, boolean includeDeleted) {
    List<Version> found = new ArrayList<>();
    for (TreeMap<Integer, Version> versions : state.subjects.values()) {
      for (Version v : versions.values()) {
        if (v.id() == id && (includeDeleted || !v.deleted())) {
          found.add(v);
        }
      }
    }
    return found;
  }

  private StoredSchema schema(int id) {
    StoredSchema schema = state.schemasById.get(id);
    if (schema == null) {
      throw RegistryException.schemaNotFound(id);
    }
    return schema;
  }

  // ---- subjects -----------------------------------------------------------------------------

  public List<String> subjects(boolean includeDeleted) {
    return read(
        () ->
            state.subjects.entrySet().stream()
                .filter(
                    e ->
                        includeDeleted
                            || e.getValue().values().stream().anyMatch(v -> !v.deleted()))
                .map(e -> e.getKey())
                .toList());
  }

  public List<Integer> versions(String subject, boolean includeDeleted) {
    return read(() -> live(subject, includeDeleted).stream().map(Version::version).toList());
  }

  /** {@code version} is a positive version number or {@code -1} for the latest. */
  public SubjectVersion version(String subject, int version, boolean includeDeleted) {
    return read(() -> toSubjectVersion(find(subject, version, includeDeleted)));
  }

  /** Registers {@code schemaText} under {@code subject} and returns its global id. */
  public int register(String subject, String schemaType, String schemaText) {
    Schema parsed = parse(schemaType, schemaText);
    String canonical = AvroSchemas.canonical(parsed);
    return write(
        () -> {
          TreeMap<Integer, Version> versions =
              state.subjects.getOrDefault(subject, new TreeMap<>());
          for (Version v : versions.values()) {
            if (!v.deleted() && state.schemasById.get(v.id()).canonical().equals(canonical)) {
              return v.id();
            }
          }
          CompatibilityLevel level = level(subject);
          List<String> problems =
              AvroSchemas.incompatibilities(level, parsed, earlier(versions, level.transitive()));
          if (!problems.isEmpty()) {
            throw RegistryException.incompatibleSchema(
                "Schema being registered is incompatible with an earlier schema for subject \""
                    + subject
                    + "\", details: "
                    + problems);
          }
          Integer known = state.idsByCanonical.get(canonical);
          int id = known != null ? known : state.maxId + 1;
          int version = versions.isEmpty() ? 1 : versions.lastKey() + 1;
          append(
              new StoreRecord.SchemaVersion(
                  subject, version, id, AvroSchemas.AVRO, canonical, false));
          return id;
        });
  }

  /** The version of {@code subject} holding this schema (POST /subjects/{s}). */
  public SubjectVersion lookup(
      String subject, String schemaType, String schemaText, boolean includeDeleted) {
    return read(
        () -> {
          List<Version> versions = live(subject, includeDeleted);
          String canonical = AvroSchemas.canonical(parse(schemaType, schemaText));
          for (int i = versions.size() - 1; i >= 0; i--) {
            Version v = versions.get(i);
            if (state.schemasById.get(v.id()).canonical().equals(canonical)) {
              return toSubjectVersion(v);
            }
          }
          throw RegistryException.schemaNotFound();
        });
  }

  /**
   * Checks a schema against {@code version} of {@code subject}, or (for {@code -1}, latest) against
   * what registration would check it against. A subject with no versions accepts anything.
   */
  public Compatibility checkCompatibility(
      String subject, int version, String schemaType, String schemaText) {
    Schema parsed = parse(schemaType, schemaText);
    return read(
        () -> {
          CompatibilityLevel level = level(subject);
          List<AvroSchemas.Earlier> earlier;
          if (version == -1) {
            earlier =
                earlier(state.subjects.getOrDefault(subject, new TreeMap<>()), level.transitive());
          } else {
            Version v = find(subject, version, false);
            earlier = List.of(new AvroSchemas.Earlier(v.version(), schema(v.id()).schema()));
          }
          List<String> problems = AvroSchemas.incompatibilities(level, parsed, earlier);
          return new Compatibility(problems.isEmpty(), problems);
        });
  }

  /** Soft- or permanently deletes a subject and returns the versions deleted. */
  public List<Integer> deleteSubject(String subject, boolean permanent) {
    return write(
        () -> {
          TreeMap<Integer, Version> versions = state.subjects.get(subject);
          if (versions == null || versions.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
          }
          Collection<Version> all = List.copyOf(versions.values());
          boolean anyLive = all.stream().anyMatch(v -> !v.deleted());
          List<Integer> deleted = new ArrayList<>();
          if (permanent) {
            if (anyLive) {
              throw RegistryException.subjectNotSoftDeleted(subject);
            }
            for (Version v : all) {
              append(new StoreRecord.VersionTombstone(subject, v.version()));
              deleted.add(v.version());
            }
            if (state.subjectLevels.containsKey(subject)) {
              append(new StoreRecord.Config(subject, null));
            }
          } else {
            if (!anyLive) {
              throw RegistryException.subjectSoftDeleted(subject);
            }
            for (Version v : all) {
              if (!v.deleted()) {
                append(asRecord(v).asDeleted());
                deleted.add(v.version());
              }
            }
          }
          return deleted;
        });
  }

  /** Soft- or permanently deletes one version ({@code -1}: the latest live one). */
  public int deleteVersion(String subject, int version, boolean permanent) {
    return write(
        () -> {
          TreeMap<Integer, Version> versions = state.subjects.get(subject);
          if (versions == null || versions.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
          }
          Version v = find(subject, version, permanent || version != -1);
          if (!permanent && v.deleted()) {
            throw RegistryException.versionSoftDeleted(subject, v.version());
          }
          if (permanent) {
            if (!v.deleted()) {
              throw RegistryException.versionNotSoftDeleted(subject, v.version());
            }
            append(new StoreRecord.VersionTombstone(subject, v.version()));
          } else {
            append(asRecord(v).asDeleted());
          }
          return v.version();
        });
  }

  // ---- config -------------------------------------------------------------------------------

  public CompatibilityLevel globalLevel() {
    return read(() -> state.globalLevel);
  }

  public CompatibilityLevel subjectLevel(String subject, boolean defaultToGlobal) {
    return read(
        () -> {
          CompatibilityLevel level = state.subjectLevels.get(subject);
          if (level != null) {
            return level;
          }
          if (defaultToGlobal) {
            return state.globalLevel;
          }
          throw RegistryException.subjectLevelCompatibilityNotConfigured(subject);
        });
  }

  /** Sets the global level ({@code subject} null) or a subject's. */
  public void setLevel(String subject, CompatibilityLevel level) {
    write(
        () -> {
          append(new StoreRecord.Config(subject, level.name()));
          return null;
        });
  }

  /** Resets the global level to the configured default and returns the level it had. */
  public CompatibilityLevel resetGlobalLevel() {
    return write(
        () -> {
          CompatibilityLevel old = state.globalLevel;
          append(new StoreRecord.Config(null, null));
          return old;
        });
  }

  /** Removes a subject's override and returns the level it had. */
  public CompatibilityLevel deleteSubjectLevel(String subject) {
    return write(
        () -> {
          CompatibilityLevel old = state.subjectLevels.get(subject);
          if (old == null) {
            throw RegistryException.subjectLevelCompatibilityNotConfigured(subject);
          }
          append(new StoreRecord.Config(subject, null));
          return old;
        });
  }

  // ---- helpers ------------------------------------------------------------------------------

  private CompatibilityLevel level(String subject) {
    return state.subjectLevels.getOrDefault(subject, state.globalLevel);
  }

  private static Schema parse(String schemaType, String schemaText) {
    if (schemaType != null && !AvroSchemas.AVRO.equals(schemaType)) {
      throw RegistryException.invalidSchema("Invalid schema type " + schemaType);
    }
    return AvroSchemas.parse(schemaText);
  }

  /** Live versions, newest first, that a check at this level compares against. */
  private List<AvroSchemas.Earlier> earlier(NavigableMap<Integer, Version> versions, boolean all) {
    List<AvroSchemas.Earlier> earlier = new ArrayList<>();
    for (Version v : versions.descendingMap().values()) {
      if (!v.deleted()) {
        earlier.add(new AvroSchemas.Earlier(v.version(), schema(v.id()).schema()));
        if (!all) {
          break;
        }
      }
    }
    return earlier;
  }

  /** The subject's versions in order; 40401 if it has none (live ones unless includeDeleted). */
  private List<Version> live(String subject, boolean includeDeleted) {
    List<Version> versions =
        state.subjects.getOrDefault(subject, new TreeMap<>()).values().stream()
            .filter(v -> includeDeleted || !v.deleted())
            .toList();
    if (versions.isEmpty()) {
      throw RegistryException.subjectNotFound(subject);
    }
    return versions;
  }

  private Version find(String subject, int version, boolean includeDeleted) {
    List<Version> versions = live(subject, includeDeleted);
    if (version == -1) {
      return versions.get(versions.size() - 1);
    }
    Version found = state.subjects.get(subject).get(version);
    if (found == null || (found.deleted() && !includeDeleted)) {
      throw RegistryException.versionNotFound(version);
    }
    return found;
  }

  private SubjectVersion toSubjectVersion(Version v) {
    StoredSchema schema = schema(v.id());
    return new SubjectVersion(
        v.subject(), v.version(), v.id(), schema.schemaType(), schema.canonical());
  }

  private StoreRecord.SchemaVersion asRecord(Version v) {
    StoredSchema schema = schema(v.id());
    return new StoreRecord.SchemaVersion(
        v.subject(), v.version(), v.id(), schema.schemaType(), schema.canonical(), v.deleted());
  }

  private void append(StoreRecord record) {
    try {
      store.append(record, writeTimeout);
    } catch (SchemaStoreException.Timeout e) {
      throw RegistryException.operationTimeout(e);
    } catch (SchemaStoreException e) {
      throw RegistryException.storeError(e);
    }
    state.apply(record);
  }

  private <T> T read(Supplier<T> action) {
    lock.readLock().lock();
    try {
      return action.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  private <T> T write(Supplier<T> action) {
    lock.writeLock().lock();
    try {
      return action.get();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Counts for the start-up log: subjects (live or not) and the highest id handed out. */
  public String summary() {
    return read(() -> state.subjects.size() + " subjects, highest schema id " + state.maxId);
  }
}
