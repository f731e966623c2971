package io.sluice.schemas.serde;

import io.sluice.schemas.registry.SchemaRegistryClient;
import java.util.Map;

/**
 * Settings of the Avro serde. The key names are Confluent's, so existing client configs carry over
 * unchanged.
 *
 * @param registryUrl {@code schema.registry.url}: comma-separated base URLs, or {@code
 *     mock://scope}
 * @param autoRegister {@code auto.register.schemas}: register the writer's schema if needed
 *     (default true); when false the schema must already be registered
 * @param basicAuthUserInfo {@code basic.auth.user.info}: {@code user:password}, or null
 * @param truststoreLocation {@code schema.registry.ssl.truststore.location}: the trust store the
 *     registry's TLS certificate is checked against, or null for the JVM's default trust
 * @param truststorePassword {@code schema.registry.ssl.truststore.password}, or null
 */
public record SerdeConfig(
    String registryUrl,
    boolean autoRegister,
    String basicAuthUserInfo,
    String truststoreLocation,
    String truststorePassword) {
  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
  public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
  public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";

  /** Without TLS trust settings (the JVM's default trust). */
  public SerdeConfig(String registryUrl, boolean autoRegister, String basicAuthUserInfo) {
    this(registryUrl, autoRegister, basicAuthUserInfo, null, null);
  }

  /** A config for a registry URL with auto-registration on. */
  public static SerdeConfig of(String registryUrl) {
    return new SerdeConfig(registryUrl, true, null);
  }

  /** Reads the settings from Kafka client properties. */
  public static SerdeConfig from(Map<String, ?> configs) {
    Object url = configs.get(SCHEMA_REGISTRY_URL);
    Object auto = configs.get(AUTO_REGISTER_SCHEMAS);
    Object auth = configs.get(BASIC_AUTH_USER_INFO);
    return new SerdeConfig(
        url == null ? null : url.toString(),
        auto == null || Boolean.parseBoolean(auto.toString()),
        auth == null ? null : auth.toString(),
        text(configs.get(TRUSTSTORE_LOCATION)),
        text(configs.get(TRUSTSTORE_PASSWORD)));
  }

  private static String text(Object o) {
    return o == null || o.toString().isBlank() ? null : o.toString();
  }

  /** The shared registry client of these settings ({@link SchemaRegistries#forConfig}). */
  public SchemaRegistryClient registry() {
    return SchemaRegistries.forConfig(this);
  }

  @Override
  public String toString() {
    return "SerdeConfig[registryUrl="
        + registryUrl
        + ", autoRegister="
        + autoRegister
        + ", basicAuthUserInfo="
        + (basicAuthUserInfo == null ? "null" : "[redacted]")
        + ", truststoreLocation="
        + truststoreLocation
        + ", truststorePassword="
        + (truststorePassword == null ? "null" : "[redacted]")
        + "]";
  }
}
