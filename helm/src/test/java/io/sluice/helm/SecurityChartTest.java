package io.sluice.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Kafka and Schema Registry security: the same settings reach every Sluice process (router, bridge,
 * workers, the apply Job), secrets only through secretKeyRef, and KEDA's lag polling reads the same
 * Secrets.
 */
class SecurityChartTest {

  private static final String SASL_SSL =
      """
      kafka:
        bootstrapServers: "broker:9093"
        security:
          protocol: SASL_SSL
          sasl:
            mechanism: SCRAM-SHA-512
            existingSecret: kafka-creds
            usernameKey: user
            passwordKey: pass
          truststore:
            existingSecret: kafka-ca
            key: ca.crt
      schemaRegistry:
        url: "https://registry:8081"
        auth:
          existingSecret: registry-creds
          userInfoKey: user-info
        truststore:
          existingSecret: registry-ca
          key: truststore.jks
          passwordKey: password
      """;

  /** Every Sluice container of the example: {kind, name, container}. */
  private static final List<String[]> PROCESSES =
      List.of(
          new String[] {"Deployment", "sluice-router", "router"},
          new String[] {"Deployment", "sluice-bridge", "bridge"},
          new String[] {"Deployment", "sluice-worker-chat-a", "worker"},
          new String[] {"Deployment", "sluice-worker-sentiment", "worker"},
          new String[] {"Job", "sluice-apply", "apply"});

  @TempDir Path dir;
  private Path chart;

  @BeforeEach
  void chartWithHooks() {
    chart = Chart.withHooksRendered(dir);
  }

  private Rendered render(String values) {
    return Chart.template(chart, dir, values, Chart.EXAMPLE);
  }

  private static JsonNode container(Rendered r, String[] process) {
    return Rendered.container(r.get(process[0], process[1]), process[2]);
  }

  private static JsonNode secretRef(JsonNode container, String env) {
    JsonNode entry =
        Rendered.env(container, env)
            .orElseThrow(() -> new AssertionError("no env " + env + " in " + container));
    assertThat(entry.has("value")).as(env).isFalse();
    return entry.path("valueFrom").path("secretKeyRef");
  }

  private static String ref(JsonNode secretKeyRef) {
    return secretKeyRef.path("name").asText() + "/" + secretKeyRef.path("key").asText();
  }

  @Test
  void everyProcessGetsTheSameSecuritySettingsAndSecretsFromSecretKeyRefs() {
    Rendered r = render(SASL_SSL);

    JsonNode data = r.get("ConfigMap", "sluice-config").path("data");
    assertThat(data.path("SLUICE_KAFKA_CLIENT_SECURITY_PROTOCOL").asText()).isEqualTo("SASL_SSL");
    assertThat(data.path("SLUICE_KAFKA_CLIENT_SASL_MECHANISM").asText()).isEqualTo("SCRAM-SHA-512");
    assertThat(data.path("SLUICE_KAFKA_CLIENT_SSL_TRUSTSTORE_LOCATION").asText())
        .isEqualTo("/etc/sluice/tls/kafka/truststore");
    assertThat(data.path("SLUICE_KAFKA_CLIENT_SSL_TRUSTSTORE_TYPE").asText()).isEqualTo("PEM");
    assertThat(data.path("SLUICE_SCHEMA_REGISTRY_SSL_TRUSTSTORE_LOCATION").asText())
        .isEqualTo("/etc/sluice/tls/schema-registry/truststore");
    // The client detects PEM, JKS or PKCS12 itself: no type key for the registry's trust store.
    assertThat(data.has("SLUICE_SCHEMA_REGISTRY_SSL_TRUSTSTORE_TYPE")).isFalse();
    assertThat(data.has("SLUICE_KAFKA_CLIENT_SSL_KEYSTORE_LOCATION")).isFalse();

    for (String[] process : PROCESSES) {
      JsonNode c = container(r, process);
      String name = process[1];
      assertThat(c.path("envFrom").get(0).path("configMapRef").path("name").asText())
          .as(name)
          .isEqualTo("sluice-config");
      assertThat(ref(secretRef(c, "SLUICE_KAFKA_SASL_USERNAME")))
          .as(name)
          .isEqualTo("kafka-creds/user");
      assertThat(ref(secretRef(c, "SLUICE_KAFKA_SASL_PASSWORD")))
          .as(name)
          .isEqualTo("kafka-creds/pass");
      assertThat(ref(secretRef(c, "SLUICE_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO")))
          .as(name)
          .isEqualTo("registry-creds/user-info");
      assertThat(ref(secretRef(c, "SLUICE_SCHEMA_REGISTRY_SSL_TRUSTSTORE_PASSWORD")))
          .as(name)
          .isEqualTo("registry-ca/password");
      // A PEM truststore has no password.
      assertThat(Rendered.env(c, "SLUICE_KAFKA_CLIENT_SSL_TRUSTSTORE_PASSWORD")).as(name).isEmpty();

      JsonNode mount = named(c.path("volumeMounts"), "sluice-tls");
      assertThat(mount.path("mountPath").asText()).as(name).isEqualTo("/etc/sluice/tls");
      assertThat(mount.path("readOnly").asBoolean()).as(name).isTrue();
      JsonNode volume =
          named(Rendered.podSpec(r.get(process[0], process[1])).path("volumes"), "sluice-tls");
      assertThat(projected(volume))
          .as(name)
          .containsExactly(
              "kafka-ca:ca.crt->kafka/truststore",
              "registry-ca:truststore.jks->schema-registry/truststore");
    }
  }

  @Test
  void noConfigMapHoldsASecretAndEverySecretEnvIsASecretKeyRef() {
    String values =
        SASL_SSL
            + """
              bridge:
                auth:
                  apiKeys: ["sk-test-0123456789abcdef"]
              """;
    // The registry's user and password under two keys instead of one user-info key.
    Rendered r = render(values.replace("    userInfoKey: user-info\n", ""));

    for (JsonNode configMap : r.ofKind("ConfigMap")) {
      String text = configMap.path("data").toString();
      assertThat(text)
          .as(configMap.path("metadata").path("name").asText())
          .doesNotContain("PASSWORD", "USERNAME", "USER_INFO", "API_KEY", "sk-test-");
    }
    for (String[] process : PROCESSES) {
      JsonNode c = container(r, process);
      for (JsonNode e : c.path("env")) {
        String name = e.path("name").asText();
        if (name.matches(".*(PASSWORD|USERNAME|_USER|API_KEYS)$")) {
          assertThat(e.path("valueFrom").has("secretKeyRef")).as(process[1] + " " + name).isTrue();
          assertThat(e.has("value")).as(process[1] + " " + name).isFalse();
        }
      }
      // user:password is assembled by the kubelet from the two secretKeyRefs defined before it.
      List<String> names = envNames(c);
      assertThat(
              Rendered.env(c, "SLUICE_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO")
                  .orElseThrow()
                  .path("value")
                  .asText())
          .isEqualTo("$(SCHEMA_REGISTRY_BASIC_AUTH_USER):$(SCHEMA_REGISTRY_BASIC_AUTH_PASSWORD)");
      assertThat(names.indexOf("SCHEMA_REGISTRY_BASIC_AUTH_USER"))
          .isNotNegative()
          .isLessThan(names.indexOf("SLUICE_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO"));
      assertThat(names.indexOf("SCHEMA_REGISTRY_BASIC_AUTH_PASSWORD"))
          .isNotNegative()
          .isLessThan(names.indexOf("SLUICE_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO"));
      assertThat(ref(secretRef(c, "SCHEMA_REGISTRY_BASIC_AUTH_USER")))
          .isEqualTo("registry-creds/username");
      assertThat(ref(secretRef(c, "SCHEMA_REGISTRY_BASIC_AUTH_PASSWORD")))
          .isEqualTo("registry-creds/password");
    }
  }

  @Test
  void kedaReadsTheSameSecretsAsTheProcesses() {
    Rendered r = render(SASL_SSL);

    JsonNode auth = r.get("TriggerAuthentication", "sluice-kafka");
    Map<String, String> params = new java.util.TreeMap<>();
    auth.path("spec")
        .path("secretTargetRef")
        .forEach(
            p ->
                params.put(
                    p.path("parameter").asText(),
                    p.path("name").asText() + "/" + p.path("key").asText()));
    JsonNode worker = container(r, PROCESSES.get(2));
    assertThat(params)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "username", ref(secretRef(worker, "SLUICE_KAFKA_SASL_USERNAME")),
                "password", ref(secretRef(worker, "SLUICE_KAFKA_SASL_PASSWORD")),
                "ca", "kafka-ca/ca.crt"));
    // every ScaledObject the example manifest renders (not a count that changes with the example)
    assertThat(r.ofKind("ScaledObject")).isNotEmpty();
    for (JsonNode so : r.ofKind("ScaledObject")) {
      JsonNode trigger = so.path("spec").path("triggers").get(0);
      assertThat(trigger.path("authenticationRef").path("name").asText()).isEqualTo("sluice-kafka");
      assertThat(trigger.path("metadata").path("sasl").asText()).isEqualTo("scram_sha512");
      assertThat(trigger.path("metadata").path("tls").asText()).isEqualTo("enable");
    }
  }

  @ParameterizedTest(name = "{0} {1}: KEDA sasl {2}, tls {3}")
  @CsvSource({
    "SASL_PLAINTEXT, PLAIN, plaintext, disable, true",
    "SASL_PLAINTEXT, SCRAM-SHA-256, scram_sha256, disable, true",
    "SASL_SSL, SCRAM-SHA-512, scram_sha512, enable, true",
    "SSL, PLAIN, none, enable, false",
  })
  void protocolAndMechanismMapToKedasSaslAndTls(
      String protocol, String mechanism, String sasl, String tls, boolean withAuth) {
    Rendered r =
        render(
            """
            kafka:
              bootstrapServers: "broker:9093"
              security:
                protocol: %s
                sasl: {mechanism: %s, existingSecret: kafka-creds}
            """
                .formatted(protocol, mechanism));

    JsonNode trigger =
        r.get("ScaledObject", "sluice-worker-sentiment").path("spec").path("triggers").get(0);
    assertThat(trigger.path("metadata").path("sasl").asText()).isEqualTo(sasl);
    assertThat(trigger.path("metadata").path("tls").asText()).isEqualTo(tls);
    assertThat(trigger.has("authenticationRef")).isEqualTo(withAuth);
    assertThat(r.find("TriggerAuthentication", "sluice-kafka").isPresent()).isEqualTo(withAuth);
    JsonNode data = r.get("ConfigMap", "sluice-config").path("data");
    assertThat(data.path("SLUICE_KAFKA_CLIENT_SECURITY_PROTOCOL").asText()).isEqualTo(protocol);
    assertThat(data.has("SLUICE_KAFKA_CLIENT_SASL_MECHANISM")).isEqualTo(withAuth);
    // No truststore: the JVM's default CAs; nothing mounted.
    assertThat(r.get("Deployment", "sluice-router").toString()).doesNotContain("sluice-tls");
  }

  @Test
  void plaintextByDefaultWithNothingToAuthenticate() {
    Rendered r = render("{}");

    assertThat(
            r.get("ConfigMap", "sluice-config")
                .path("data")
                .path("SLUICE_KAFKA_CLIENT_SECURITY_PROTOCOL")
                .asText())
        .isEqualTo("PLAINTEXT");
    assertThat(r.ofKind("TriggerAuthentication")).isEmpty();
    JsonNode trigger =
        r.get("ScaledObject", "sluice-worker-chat-a").path("spec").path("triggers").get(0);
    assertThat(trigger.has("authenticationRef")).isFalse();
    assertThat(trigger.path("metadata").has("sasl")).isFalse();
    for (String[] process : PROCESSES) {
      JsonNode c = container(r, process);
      assertThat(envNames(c))
          .as(process[1])
          .noneMatch(n -> n.contains("SASL") || n.contains("SCHEMA_REGISTRY"));
      assertThat(r.get(process[0], process[1]).toString())
          .as(process[1])
          .doesNotContain("sluice-tls");
    }
  }

  @Test
  void mutualTlsMountsTheKeystoreAndGivesKedaItsPemCertificateAndKey() {
    Rendered r =
        render(
            """
            kafka:
              bootstrapServers: "broker:9093"
              security:
                protocol: SSL
                truststore:
                  existingSecret: kafka-tls
                  key: truststore.p12
                  type: PKCS12
                  passwordKey: truststore-password
                  kedaCaKey: ca.crt
                keystore:
                  existingSecret: kafka-tls
                  key: keystore.p12
                  passwordKey: keystore-password
                  kedaCertKey: tls.crt
                  kedaKeyKey: tls.key
            """);

    JsonNode data = r.get("ConfigMap", "sluice-config").path("data");
    assertThat(data.path("SLUICE_KAFKA_CLIENT_SSL_KEYSTORE_LOCATION").asText())
        .isEqualTo("/etc/sluice/tls/kafka/keystore");
    assertThat(data.path("SLUICE_KAFKA_CLIENT_SSL_KEYSTORE_TYPE").asText()).isEqualTo("PKCS12");
    assertThat(data.path("SLUICE_KAFKA_CLIENT_SSL_TRUSTSTORE_TYPE").asText()).isEqualTo("PKCS12");
    for (String[] process : PROCESSES) {
      JsonNode c = container(r, process);
      assertThat(ref(secretRef(c, "SLUICE_KAFKA_CLIENT_SSL_TRUSTSTORE_PASSWORD")))
          .isEqualTo("kafka-tls/truststore-password");
      assertThat(ref(secretRef(c, "SLUICE_KAFKA_CLIENT_SSL_KEYSTORE_PASSWORD")))
          .isEqualTo("kafka-tls/keystore-password");
      assertThat(
              projected(
                  named(
                      Rendered.podSpec(r.get(process[0], process[1])).path("volumes"),
                      "sluice-tls")))
          .containsExactly(
              "kafka-tls:truststore.p12->kafka/truststore",
              "kafka-tls:keystore.p12->kafka/keystore");
    }
    assertThat(
            r.get("TriggerAuthentication", "sluice-kafka")
                .path("spec")
                .path("secretTargetRef")
                .toString())
        .contains(
            "{\"parameter\":\"ca\",\"name\":\"kafka-tls\",\"key\":\"ca.crt\"}",
            "{\"parameter\":\"cert\",\"name\":\"kafka-tls\",\"key\":\"tls.crt\"}",
            "{\"parameter\":\"key\",\"name\":\"kafka-tls\",\"key\":\"tls.key\"}")
        .doesNotContain("username");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "SASL without a Secret | 'kafka: {security: {protocol: SASL_SSL}}'"
            + " | kafka.security.sasl.existingSecret is required",
        "a truststore without TLS | 'kafka: {security: {protocol: SASL_PLAINTEXT, sasl:"
            + " {existingSecret: s}, truststore: {existingSecret: ca}}}' | does not use TLS",
        "a JKS truststore KEDA cannot read | 'kafka: {security: {protocol: SSL, truststore:"
            + " {existingSecret: ca, type: JKS}}}' | kafka.security.truststore.kedaCaKey is required",
        "a PKCS12 keystore KEDA cannot read | 'kafka: {security: {protocol: SSL, keystore:"
            + " {existingSecret: ks}}}' | kedaCertKey and kedaKeyKey are required",
      })
  void settingsThatCannotWorkFailRendering(String name, String values, String message) {
    assertThatThrownBy(() -> render(values)).hasMessageContaining(message);
  }

  @Test
  void theRemovedKafkaAuthIsASchemaError() {
    assertThatThrownBy(() -> render("kafka: {auth: {enabled: true}}"))
        .hasMessageContaining("values don't meet the specifications of the schema");
  }

  private static JsonNode named(JsonNode list, String name) {
    return StreamSupport.stream(list.spliterator(), false)
        .filter(e -> name.equals(e.path("name").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in " + list));
  }

  /** A projected volume's files as {@code secret:key->path}. */
  private static List<String> projected(JsonNode volume) {
    List<String> files = new ArrayList<>();
    for (JsonNode source : volume.path("projected").path("sources")) {
      for (JsonNode item : source.path("secret").path("items")) {
        files.add(
            source.path("secret").path("name").asText()
                + ":"
                + item.path("key").asText()
                + "->"
                + item.path("path").asText());
      }
    }
    return files;
  }

  private static List<String> envNames(JsonNode container) {
    return StreamSupport.stream(container.path("env").spliterator(), false)
        .map(e -> e.path("name").asText())
        .toList();
  }
}
