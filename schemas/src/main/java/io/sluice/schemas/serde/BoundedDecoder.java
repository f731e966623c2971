package io.sluice.schemas.serde;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * An Avro binary decoder over one record's bytes that checks every length prefix against the bytes
 * that remain BEFORE it allocates anything.
 *
 * <p>Avro's own {@code BinaryDecoder} allocates a string, byte array or collection of the size the
 * length prefix claims and only then finds the payload too short; its limits are system properties
 * read once per JVM, so whether they apply depends on which code decoded first. Here a string or
 * bytes value claiming more than the remaining bytes, or an array/map block claiming more items
 * than remaining bytes, fails at once with an {@link EOFException} (a truncated record): the most a
 * record can make the reader allocate is proportional to its own size, in every JVM.
 *
 * <p>The item bound assumes every collection item takes at least one byte, true of every Sluice
 * schema (records with an enum or string, strings, map entries with a key); an array of {@code
 * null}s or of empty records would need a schema-aware bound.
 */
final class BoundedDecoder extends Decoder {
  private final byte[] buf;
  private final int limit;
  private int pos;

  BoundedDecoder(byte[] buf, int offset, int length) {
    if (offset < 0 || length < 0 || offset + length > buf.length) {
      throw new IndexOutOfBoundsException("offset " + offset + ", length " + length);
    }
    this.buf = buf;
    this.pos = offset;
    this.limit = offset + length;
  }

  /** Whether every byte has been read. */
  boolean isEnd() {
    return pos == limit;
  }

  /** Index in the buffer of the next byte to read. */
  int position() {
    return pos;
  }

  private int remaining() {
    return limit - pos;
  }

  private void need(long n, String what) throws IOException {
    if (n < 0) {
      throw new IOException("malformed data: negative " + what + " " + n);
    }
    if (n > remaining()) {
      throw new EOFException(what + " " + n + " exceeds the " + remaining() + " bytes left");
    }
  }

  @Override
  public void readNull() {}

  @Override
  public boolean readBoolean() throws IOException {
    need(1, "boolean");
    int b = buf[pos++];
    if (b != 0 && b != 1) {
      throw new IOException("malformed boolean " + b);
    }
    return b == 1;
  }

  @Override
  public int readInt() throws IOException {
    long n = readVarLong(5);
    int raw = (int) n;
    return (raw >>> 1) ^ -(raw & 1);
  }

  @Override
  public long readLong() throws IOException {
    long raw = readVarLong(10);
    return (raw >>> 1) ^ -(raw & 1);
  }

  /**
   * An unsigned base-128 varint of at most {@code maxBytes} bytes (zigzag is undone by callers).
   */
  private long readVarLong(int maxBytes) throws IOException {
    long value = 0;
    for (int i = 0; i < maxBytes; i++) {
      need(1, "varint byte");
      int b = buf[pos++] & 0xff;
      value |= (long) (b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IOException("malformed varint longer than " + maxBytes + " bytes");
  }

  @Override
  public float readFloat() throws IOException {
    need(4, "float");
    int bits =
        (buf[pos] & 0xff)
            | (buf[pos + 1] & 0xff) << 8
            | (buf[pos + 2] & 0xff) << 16
            | (buf[pos + 3] & 0xff) << 24;
    pos += 4;
    return Float.intBitsToFloat(bits);
  }

  @Override
  public double readDouble() throws IOException {
    need(8, "double");
    long bits = 0;
    for (int i = 0; i < 8; i++) {
      bits |= (long) (buf[pos + i] & 0xff) << (8 * i);
    }
    pos += 8;
    return Double.longBitsToDouble(bits);
  }

  private int length(String what) throws IOException {
    long n = readLong();
    need(n, what + " length");
    return (int) n;
  }

  @Override
  public Utf8 readString(Utf8 old) throws IOException {
    int n = length("string");
    Utf8 result = old != null ? old : new Utf8();
    result.setByteLength(n);
    System.arraycopy(buf, pos, result.getBytes(), 0, n);
    pos += n;
    return result;
  }

  @Override
  public String readString() throws IOException {
    int n = length("string");
    String s = new String(buf, pos, n, StandardCharsets.UTF_8);
    pos += n;
    return s;
  }

  @Override
  public void skipString() throws IOException {
    int n = length("string"); // read first: "pos += length()" would load pos before the prefix
    pos += n;
  }

  @Override
  public ByteBuffer readBytes(ByteBuffer old) throws IOException {
    int n = length("bytes");
    ByteBuffer result;
    if (old != null && n <= old.capacity()) {
      result = old;
      result.clear();
    } else {
      result = ByteBuffer.allocate(n);
    }
    result.put(buf, pos, n);
    result.flip();
    pos += n;
    return result;
  }

  @Override
  public void skipBytes() throws IOException {
    int n = length("bytes");
    pos += n;
  }

  @Override
  public void readFixed(byte[] bytes, int start, int length) throws IOException {
    need(length, "fixed");
    System.arraycopy(buf, pos, bytes, start, length);
    pos += length;
  }

  @Override
  public void skipFixed(int length) throws IOException {
    need(length, "fixed");
    pos += length;
  }

  @Override
  public int readEnum() throws IOException {
    return readInt();
  }

  @Override
  public int readIndex() throws IOException {
    return readInt();
  }

  /** A block's item count; a negative count is followed by the block's size in bytes. */
  private long itemCount() throws IOException {
    long count = readLong();
    if (count < 0) {
      need(readLong(), "block size");
      count = -count;
    }
    need(count, "block item count");
    return count;
  }

  /** Skips blocks that carry their byte size; returns the item count of one that does not. */
  private long skipItems() throws IOException {
    long count = readLong();
    while (count < 0) {
      long bytes = readLong();
      need(bytes, "block size");
      pos += (int) bytes;
      count = readLong();
    }
    need(count, "block item count");
    return count;
  }

  @Override
  public long readArrayStart() throws IOException {
    return itemCount();
  }

  @Override
  public long arrayNext() throws IOException {
    return itemCount();
  }

  @Override
  public long skipArray() throws IOException {
    return skipItems();
  }

  @Override
  public long readMapStart() throws IOException {
    return itemCount();
  }

  @Override
  public long mapNext() throws IOException {
    return itemCount();
  }

  @Override
  public long skipMap() throws IOException {
    return skipItems();
  }
}
