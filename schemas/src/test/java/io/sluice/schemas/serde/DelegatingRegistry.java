package io.sluice.schemas.serde;

import io.sluice.schemas.registry.CompatibilityLevel;
import io.sluice.schemas.registry.SchemaMetadata;
import io.sluice.schemas.registry.SchemaRegistryClient;
import java.util.List;
import org.apache.avro.Schema;

/** Forwards every call; tests override what they observe. */
class DelegatingRegistry implements SchemaRegistryClient {
  private final SchemaRegistryClient delegate;

  DelegatingRegistry(SchemaRegistryClient delegate) {
    this.delegate = delegate;
  }

  @Override
  public int register(String subject, Schema schema) {
    return delegate.register(subject, schema);
  }

  @Override
  public Schema getById(int id) {
    return delegate.getById(id);
  }

  @Override
  public SchemaMetadata getLatest(String subject) {
    return delegate.getLatest(subject);
  }

  @Override
  public SchemaMetadata lookup(String subject, Schema schema) {
    return delegate.lookup(subject, schema);
  }

  @Override
  public boolean isCompatible(String subject, Schema schema) {
    return delegate.isCompatible(subject, schema);
  }

  @Override
  public List<String> subjects() {
    return delegate.subjects();
  }

  @Override
  public List<Integer> versions(String subject) {
    return delegate.versions(subject);
  }

  @Override
  public void setCompatibility(String subject, CompatibilityLevel level) {
    delegate.setCompatibility(subject, level);
  }

  @Override
  public CompatibilityLevel getCompatibility(String subject) {
    return delegate.getCompatibility(subject);
  }
}
