package io.sluice.registry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoreRecordCodecTest {

  @Test
  void everyRecordKindSurvivesARoundTrip() {
    List<StoreRecord> records =
        List.of(
            new StoreRecord.SchemaVersion("orders-value", 3, 7, "AVRO", "\"string\"", false),
            new StoreRecord.SchemaVersion("orders-value", 3, 7, "AVRO", "\"string\"", true),
            new StoreRecord.VersionTombstone("orders-value", 3),
            new StoreRecord.Config(null, "FULL"),
            new StoreRecord.Config("orders-value", "NONE"),
            new StoreRecord.Config("orders-value", null));
    for (StoreRecord record : records) {
      assertThat(
              StoreRecordCodec.decode(
                  StoreRecordCodec.encodeKey(record), StoreRecordCodec.encodeValue(record)))
          .contains(record);
    }
  }

  @Test
  void aVersionAndItsDeletesShareOneKeySoCompactionKeepsTheLast() {
    StoreRecord.SchemaVersion live =
        new StoreRecord.SchemaVersion("s", 1, 1, "AVRO", "\"int\"", false);
    assertThat(StoreRecordCodec.encodeKey(live.asDeleted()))
        .isEqualTo(StoreRecordCodec.encodeKey(live))
        .isEqualTo(StoreRecordCodec.encodeKey(new StoreRecord.VersionTombstone("s", 1)));
    assertThat(new String(StoreRecordCodec.encodeKey(live), StandardCharsets.UTF_8))
        .isEqualTo("{\"keytype\":\"SCHEMA\",\"subject\":\"s\",\"version\":1}");
    assertThat(StoreRecordCodec.encodeValue(new StoreRecord.VersionTombstone("s", 1))).isNull();
  }

  @Test
  void unknownKeyTypesAreSkippedAndGarbageIsRejected() {
    assertThat(
            StoreRecordCodec.decode(
                "{\"keytype\":\"NOOP\"}".getBytes(StandardCharsets.UTF_8), new byte[0]))
        .isEmpty();
    assertThatThrownBy(
            () -> StoreRecordCodec.decode("not json".getBytes(StandardCharsets.UTF_8), null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
