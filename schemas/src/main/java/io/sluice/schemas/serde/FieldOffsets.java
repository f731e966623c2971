package io.sluice.schemas.serde;

import java.io.IOException;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;

/**
 * Where a field's encoding starts inside a wire-format record, found by skipping the fields before
 * it (strings and bytes by their length, nothing decoded), so that a caller can reuse the bytes of
 * every field it leaves unchanged. Bounded like the deserializer: malformed input never allocates
 * or reads past the record, it yields -1.
 */
public final class FieldOffsets {
  private FieldOffsets() {}

  /**
   * Index in {@code payload} (a Confluent wire-format record written with {@code writer}, a record
   * schema) where the encoding of {@code writer}'s field number {@code field} begins; -1 when the
   * bytes before it do not parse.
   */
  public static int fieldStart(byte[] payload, Schema writer, int field) {
    List<Schema.Field> fields = writer.getFields();
    if (field < 0 || field >= fields.size() || payload.length < WireFormat.HEADER_SIZE) {
      return -1;
    }
    BoundedDecoder in =
        new BoundedDecoder(
            payload, WireFormat.HEADER_SIZE, payload.length - WireFormat.HEADER_SIZE);
    try {
      for (int i = 0; i < field; i++) {
        GenericDatumReader.skip(fields.get(i).schema(), in);
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return in.position();
  }
}
