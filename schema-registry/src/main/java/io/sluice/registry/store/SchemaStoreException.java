package io.sluice.registry.store;

/** The backing store failed; the registry answers 50001 (or 50002 for {@link Timeout}). */
public class SchemaStoreException extends RuntimeException {

  public SchemaStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The store did not answer in time; the write may or may not have happened. */
  public static final class Timeout extends SchemaStoreException {
    public Timeout(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
