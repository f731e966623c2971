package io.sluice.schemas.registry;

import io.sluice.schemas.compat.SchemaCompatibilityChecker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A registry held in memory, for unit tests ({@code TopologyTestDriver}) and for {@code mock://}
 * registry URLs, as Confluent's serializers offer. Same rules as a real registry: global ids,
 * per-subject versions, BACKWARD compatibility by default, the same typed errors.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {
  private static final Map<String, InMemorySchemaRegistryClient> SCOPES = new ConcurrentHashMap<>();

  private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();
  private final Map<String, List<SchemaMetadata>> bySubject = new ConcurrentHashMap<>();
  private final Map<String, CompatibilityLevel> config = new ConcurrentHashMap<>();
  private CompatibilityLevel global = CompatibilityLevel.BACKWARD;
  private int nextId = 1;

  /** The shared registry of a {@code mock://scope} URL. */
  public static InMemorySchemaRegistryClient forScope(String scope) {
    return SCOPES.computeIfAbsent(scope, s -> new InMemorySchemaRegistryClient());
  }

  /** Forgets a {@code mock://scope} registry. */
  public static void dropScope(String scope) {
    SCOPES.remove(scope);
  }

  @Override
  public synchronized int register(String subject, Schema schema) {
    List<SchemaMetadata> versions = bySubject.computeIfAbsent(subject, s -> new ArrayList<>());
    for (SchemaMetadata m : versions) {
      if (m.schema().equals(schema)) {
        return m.id();
      }
    }
    List<String> problems =
        SchemaCompatibilityChecker.problems(
            getCompatibility(subject),
            schema,
            versions.stream().map(SchemaMetadata::schema).toList());
    if (!problems.isEmpty()) {
      throw new SchemaRegistryException.IncompatibleSchemaException(
          409, "Schema being registered is incompatible with an earlier schema: " + problems);
    }
    int id =
        byId.entrySet().stream()
            .filter(e -> e.getValue().equals(schema))
            .map(Map.Entry::getKey)
            .findFirst()
            .orElseGet(() -> nextId++);
    byId.put(id, schema);
    versions.add(new SchemaMetadata(subject, id, versions.size() + 1, schema));
    return id;
  }

  @Override
  public Schema getById(int id) {
    Schema s = byId.get(id);
    if (s == null) {
      throw new SchemaRegistryException.SchemaNotFoundException(404, "Schema " + id + " not found");
    }
    return s;
  }

  @Override
  public synchronized SchemaMetadata getLatest(String subject) {
    List<SchemaMetadata> v = existing(subject);
    return v.get(v.size() - 1);
  }

  @Override
  public synchronized SchemaMetadata lookup(String subject, Schema schema) {
    return existing(subject).stream()
        .filter(m -> m.schema().equals(schema))
        .findFirst()
        .orElseThrow(
            () -> new SchemaRegistryException.SchemaNotFoundException(404, "Schema not found"));
  }

  @Override
  public synchronized boolean isCompatible(String subject, Schema schema) {
    List<SchemaMetadata> v = bySubject.getOrDefault(subject, List.of());
    return SchemaCompatibilityChecker.problems(
            getCompatibility(subject), schema, v.stream().map(SchemaMetadata::schema).toList())
        .isEmpty();
  }

  @Override
  public synchronized List<String> subjects() {
    return List.copyOf(bySubject.keySet());
  }

  @Override
  public synchronized List<Integer> versions(String subject) {
    return existing(subject).stream().map(SchemaMetadata::version).toList();
  }

  @Override
  public void setCompatibility(String subject, CompatibilityLevel level) {
    config.put(subject, level);
  }

  @Override
  public CompatibilityLevel getCompatibility(String subject) {
    return config.getOrDefault(subject, global);
  }

  private List<SchemaMetadata> existing(String subject) {
    List<SchemaMetadata> v = bySubject.get(subject);
    if (v == null || v.isEmpty()) {
      throw new SchemaRegistryException.SubjectNotFoundException(
          404, "Subject '" + subject + "' not found.");
    }
    return v;
  }
}
