package io.sluice.registry;

/** Avro schemas that evolve in known ways, for compatibility tests. */
final class Schemas {

  private Schemas() {}

  /** {@code User} with {@code name}. */
  static final String USER_V1 =
      "{\"type\":\"record\",\"name\":\"User\",\"namespace\":\"io.sluice.test\","
          + "\"fields\":[{\"name\":\"name\",\"type\":\"string\"}]}";

  /** The same schema as {@link #USER_V1}, written differently. */
  static final String USER_V1_REFORMATTED =
      "{ \"namespace\" : \"io.sluice.test\", \"type\": \"record\", \"name\": \"User\",\n"
          + "  \"fields\": [ { \"type\": \"string\", \"name\": \"name\" } ] }";

  /** Adds {@code age} with a default: backward and forward compatible with v1. */
  static final String USER_V2_WITH_DEFAULT =
      "{\"type\":\"record\",\"name\":\"User\",\"namespace\":\"io.sluice.test\","
          + "\"fields\":[{\"name\":\"name\",\"type\":\"string\"},"
          + "{\"name\":\"age\",\"type\":\"int\",\"default\":0}]}";

  /** Adds {@code email} without a default: not backward compatible (cannot read v1 data). */
  static final String USER_V2_NO_DEFAULT =
      "{\"type\":\"record\",\"name\":\"User\",\"namespace\":\"io.sluice.test\","
          + "\"fields\":[{\"name\":\"name\",\"type\":\"string\"},"
          + "{\"name\":\"email\",\"type\":\"string\"}]}";

  /** Drops {@code name}: backward compatible with v1, but v1 readers cannot read it. */
  static final String USER_EMPTY =
      "{\"type\":\"record\",\"name\":\"User\",\"namespace\":\"io.sluice.test\",\"fields\":[]}";

  /** A different record altogether. */
  static final String ORDER =
      "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"io.sluice.test\","
          + "\"fields\":[{\"name\":\"id\",\"type\":\"long\"}]}";
}
