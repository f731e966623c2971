package io.sluice.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record value that is not a decodable Confluent-wire-format Avro record. The one exception
 * decoding garbage throws; {@link #kind()} says which problem it is.
 */
public final class WireFormatException extends SerializationException {
  private static final long serialVersionUID = 1L;

  /** What was wrong with the bytes. */
  public enum Kind {
    /** The first byte is not the magic byte 0. */
    BAD_MAGIC_BYTE,
    /** Fewer bytes than the header, or the Avro body ended early. */
    TRUNCATED,
    /** The registry knows no schema with the id in the header. */
    UNKNOWN_SCHEMA_ID,
    /** The Avro body does not decode with the writer schema. */
    MALFORMED_AVRO,
    /** The writer schema cannot be read as the reader's type. */
    INCOMPATIBLE_SCHEMA
  }

  private final Kind kind;
  private final int schemaId;

  public WireFormatException(Kind kind, int schemaId, String message, Throwable cause) {
    super(kind + ": " + message, cause);
    this.kind = kind;
    this.schemaId = schemaId;
  }

  public Kind kind() {
    return kind;
  }

  /** The schema id from the header, or -1 if none could be read. */
  public int schemaId() {
    return schemaId;
  }
}
