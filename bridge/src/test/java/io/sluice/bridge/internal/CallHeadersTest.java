package io.sluice.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.avro.Priority;
import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

class CallHeadersTest {

  private static MultiMap headers(String... kv) {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < kv.length; i += 2) {
      m.add(kv[i], kv[i + 1]);
    }
    return m;
  }

  private static void rejects(String header, String value) {
    assertThatThrownBy(() -> CallHeaders.parse(headers(header, value)))
        .as("%s: %s", header, value)
        .isInstanceOfSatisfying(
            ApiError.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.code()).isEqualTo(ApiError.INVALID_HEADER);
              assertThat(e.param()).isEqualTo(header);
            });
  }

  @Test
  void goodHeadersParse() {
    CallHeaders h =
        CallHeaders.parse(
            headers(
                "Prefer", "respond-async, wait=10",
                "sluice-timeout-ms", "1500",
                "Sluice-Priority", "BULK",
                "Idempotency-Key", "\"order-42\"",
                "X-Stainless-Timeout", "600.0",
                "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    assertThat(h.respondAsync()).isTrue();
    assertThat(h.waitSeconds()).isEqualTo(10);
    assertThat(h.timeoutMs()).isEqualTo(1500);
    assertThat(h.priority()).isEqualTo(Priority.BULK);
    assertThat(h.idempotencyKey()).isEqualTo("order-42");
    assertThat(h.stainlessTimeoutMs()).isEqualTo(600_000);
    assertThat(h.traceparent()).startsWith("00-4bf9");
    CallHeaders none = CallHeaders.parse(headers("Prefer", "handling=lenient"));
    assertThat(none.respondAsync()).isFalse();
    assertThat(none.waitSeconds()).isNull();
  }

  @Test
  void preferWaitIsBoundedSoItCannotOverflow() {
    rejects("Prefer", "wait=9300000000000000");
    rejects("Prefer", "wait=-1");
    rejects("Prefer", "wait=soon");
    assertThat(CallHeaders.preferWaitMs(headers("Prefer", "wait=999999999999"), 300_000))
        .isEqualTo(300_000);
    assertThat(CallHeaders.preferWaitMs(headers(), 300_000)).isZero();
  }

  @Test
  void everyClientHeaderIsChecked() {
    rejects("Sluice-Timeout-Ms", "0");
    rejects("Sluice-Timeout-Ms", "99999999999999999999");
    rejects("Sluice-Timeout-Ms", "1e3");
    rejects("X-Stainless-Timeout", "NaN");
    rejects("X-Stainless-Timeout", "1e300");
    rejects("Sluice-Priority", "urgent");
    rejects("Idempotency-Key", "");
    rejects("Idempotency-Key", "has space");
    rejects("Idempotency-Key", "k".repeat(256));
    rejects("Idempotency-Key", "k\u00e9y");
    rejects("traceparent", "00-not-a-trace-01");
    rejects("traceparent", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    rejects("traceparent", "00-00000000000000000000000000000000-00f067aa0ba902b7-01");
    rejects("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01");
    rejects("traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01");
    rejects("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra");
    assertThat(
            CallHeaders.parse(
                    headers(
                        "traceparent",
                        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future"))
                .traceparent())
        .endsWith("-future");
  }

  @Test
  void singleValuedHeadersMayNotRepeat() {
    assertThatThrownBy(
            () -> CallHeaders.parse(headers("Idempotency-Key", "a", "Idempotency-Key", "b")))
        .isInstanceOfSatisfying(
            ApiError.class, e -> assertThat(e.param()).isEqualTo("Idempotency-Key"));
  }

  @Test
  void contentTypeAndUtf8AreCheckedAtTheEntry() {
    JsonBody.checkContentType("application/json");
    JsonBody.checkContentType("Application/JSON; charset=\"UTF-8\"");
    for (String bad : new String[] {null, "", "text/plain", "application/json; charset=latin1"}) {
      assertThatThrownBy(() -> JsonBody.checkContentType(bad))
          .as("%s", bad)
          .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(415));
    }
    assertThat(
            JsonBody.utf8("{\"a\": \"\u00e9\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .contains("\u00e9");
    assertThatThrownBy(() -> JsonBody.utf8(new byte[] {'{', (byte) 0xC3, '}'}))
        .isInstanceOfSatisfying(
            ApiError.class, e -> assertThat(e.getMessage()).contains("byte offset 1"));
    assertThatThrownBy(() -> JsonBody.utf8(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}))
        .isInstanceOf(ApiError.class); // an encoded surrogate is not UTF-8
  }

  @Test
  void knownPathsWithAnotherMethodAre405() {
    assertThat(MethodTable.allowed("/v1/apps/x/infer")).isEqualTo("POST");
    assertThat(MethodTable.allowed("/v1/requests/abc")).isEqualTo("GET");
    assertThat(MethodTable.allowed("/v1/apps/x/y/infer")).isNull();
    assertThat(MethodTable.allowed("/nope")).isNull();
  }
}
