package io.sluice.schemas.serde;

/**
 * Bounds what Avro will allocate for one string, byte array or collection while decoding.
 *
 * <p>Avro's defaults allow about 2 GiB, so a garbage record whose length prefix claims a huge array
 * makes the decoder allocate it before it notices the payload is too short: a few bad records can
 * exhaust the heap of a router. A record value is bounded by the broker's {@code message.max.bytes}
 * anyway, so these bounds lose nothing real. The standard Avro system properties still win when
 * set; they are read once, when Avro first decodes.
 */
final class AvroLimits {
  static final String STRING_MAX = "org.apache.avro.limits.string.maxLength";
  static final String BYTES_MAX = "org.apache.avro.limits.bytes.maxLength";
  static final String COLLECTION_MAX = "org.apache.avro.limits.collectionItems.maxLength";

  private AvroLimits() {}

  static void applyDefaults() {
    setIfAbsent(STRING_MAX, 64 * 1024 * 1024);
    setIfAbsent(BYTES_MAX, 64 * 1024 * 1024);
    setIfAbsent(COLLECTION_MAX, 10_000_000);
  }

  private static void setIfAbsent(String key, int value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, Integer.toString(value));
    }
  }
}
