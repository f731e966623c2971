package io.sluice.schemas.serde;

import io.sluice.schemas.registry.InMemorySchemaRegistryClient;
import io.sluice.schemas.registry.RestSchemaRegistryClient;
import io.sluice.schemas.registry.SchemaRegistryClient;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One registry client per URL per JVM, so every serde shares one cache (the hot path never asks the
 * registry twice for the same schema). {@code mock://scope} gives an in-memory registry.
 */
public final class SchemaRegistries {
  private static final Map<String, SchemaRegistryClient> CLIENTS = new ConcurrentHashMap<>();

  private SchemaRegistries() {}

  /**
   * The shared client for a URL.
   *
   * @param url comma-separated base URLs, or {@code mock://scope}
   * @param basicAuthUserInfo {@code user:password}, or null
   */
  public static SchemaRegistryClient forUrl(String url, String basicAuthUserInfo) {
    return forConfig(new SerdeConfig(url, true, basicAuthUserInfo));
  }

  /**
   * The shared client for a serde's registry settings: URL, basic auth and TLS trust store.
   *
   * @param c the settings; {@code mock://scope} gives the in-memory registry of that scope
   */
  public static SchemaRegistryClient forConfig(SerdeConfig c) {
    String url = c.registryUrl();
    String basicAuthUserInfo = c.basicAuthUserInfo();
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException(
          SerdeConfig.SCHEMA_REGISTRY_URL + " is required, for example http://localhost:8081");
    }
    if (url.startsWith("mock://")) {
      return InMemorySchemaRegistryClient.forScope(url.substring("mock://".length()));
    }
    String key =
        url
            + "|"
            + (basicAuthUserInfo == null ? "" : basicAuthUserInfo)
            + "|"
            + (c.truststoreLocation() == null ? "" : c.truststoreLocation())
            + "|"
            + (c.truststorePassword() == null ? "" : c.truststorePassword());
    return CLIENTS.computeIfAbsent(
        key,
        k -> {
          RestSchemaRegistryClient.Builder b = RestSchemaRegistryClient.builder(url);
          if (basicAuthUserInfo != null && !basicAuthUserInfo.isBlank()) {
            int colon = basicAuthUserInfo.indexOf(':');
            if (colon < 0) {
              throw new IllegalArgumentException(
                  SerdeConfig.BASIC_AUTH_USER_INFO + " must be user:password");
            }
            b.basicAuth(
                basicAuthUserInfo.substring(0, colon), basicAuthUserInfo.substring(colon + 1));
          }
          if (c.truststoreLocation() != null) {
            b.trustStore(Path.of(c.truststoreLocation()), c.truststorePassword());
          }
          return b.build();
        });
  }
}
