package io.sluice.schemas.serde;

import java.nio.ByteBuffer;

/**
 * The Confluent wire format: byte 0 is the magic byte {@code 0x00}, bytes 1..4 the schema id
 * (big-endian), then the Avro binary encoding of the value.
 */
public final class WireFormat {
  public static final byte MAGIC_BYTE = 0x0;
  public static final int HEADER_SIZE = 5;

  private WireFormat() {}

  /** Reads the schema id from a payload, checking the magic byte and length. */
  public static int schemaId(byte[] payload) {
    if (payload.length < HEADER_SIZE) {
      throw new WireFormatException(
          WireFormatException.Kind.TRUNCATED,
          -1,
          "payload of " + payload.length + " bytes is shorter than the 5-byte header",
          null);
    }
    if (payload[0] != MAGIC_BYTE) {
      throw new WireFormatException(
          WireFormatException.Kind.BAD_MAGIC_BYTE,
          -1,
          String.format("first byte is 0x%02x, expected magic byte 0x00", payload[0] & 0xff),
          null);
    }
    return ByteBuffer.wrap(payload, 1, 4).getInt();
  }

  /** Writes the 5-byte header for a schema id into the start of a buffer. */
  public static void writeHeader(ByteBuffer out, int schemaId) {
    out.put(MAGIC_BYTE).putInt(schemaId);
  }
}
