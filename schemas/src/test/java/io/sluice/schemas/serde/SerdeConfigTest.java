package io.sluice.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SerdeConfigTest {
  @TempDir Path tmp;

  @Test
  void readsBasicAuthAndTrustStoreUnderConfluentNamesAndRedactsSecrets() {
    SerdeConfig c =
        SerdeConfig.from(
            Map.of(
                SerdeConfig.SCHEMA_REGISTRY_URL, "https://registry:8081",
                SerdeConfig.BASIC_AUTH_USER_INFO, "user:basic-secret",
                SerdeConfig.TRUSTSTORE_LOCATION, "/etc/ca.p12",
                SerdeConfig.TRUSTSTORE_PASSWORD, "store-secret"));

    assertThat(c.basicAuthUserInfo()).isEqualTo("user:basic-secret");
    assertThat(c.truststoreLocation()).isEqualTo("/etc/ca.p12");
    assertThat(c.truststorePassword()).isEqualTo("store-secret");
    assertThat(c.toString()).doesNotContain("basic-secret", "store-secret").contains("/etc/ca.p12");
  }

  @Test
  void anUnreadableTrustStoreIsNamedWhenTheClientIsBuilt() {
    Path missing = tmp.resolve("missing.p12");
    SerdeConfig c = new SerdeConfig("https://registry:8081", true, null, missing.toString(), "pw");

    assertThatThrownBy(c::registry)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString());
  }
}
