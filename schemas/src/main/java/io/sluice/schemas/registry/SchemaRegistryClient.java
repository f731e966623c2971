package io.sluice.schemas.registry;

import java.util.List;
import org.apache.avro.Schema;

/**
 * The subset of the Schema Registry REST API Sluice uses. Implementations cache, so the hot path
 * (serialising and deserialising records) calls the registry at most once per schema.
 *
 * <p>Failures are typed {@link SchemaRegistryException}s.
 */
public interface SchemaRegistryClient extends AutoCloseable {

  /** Registers a schema under a subject (or finds it there) and returns its global id. */
  int register(String subject, Schema schema);

  /** The schema with a global id. */
  Schema getById(int id);

  /** The newest version registered under a subject. */
  SchemaMetadata getLatest(String subject);

  /** Where a schema is registered under a subject (404 if it is not). */
  SchemaMetadata lookup(String subject, Schema schema);

  /** Whether a schema could be registered under a subject now (against its latest version). */
  boolean isCompatible(String subject, Schema schema);

  /** The subjects the registry holds. */
  List<String> subjects();

  /** The versions registered under a subject. */
  List<Integer> versions(String subject);

  /** Sets the compatibility level of one subject. */
  void setCompatibility(String subject, CompatibilityLevel level);

  /** The level in force for a subject: its own, or the global one. */
  CompatibilityLevel getCompatibility(String subject);

  @Override
  default void close() {}

  /** TopicNameStrategy: the subject of a topic's values (or keys). */
  static String subjectFor(String topic, boolean isKey) {
    return topic + (isKey ? "-key" : "-value");
  }
}
