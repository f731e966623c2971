package io.sluice.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sluice.bridge.BridgeConfig;
import io.sluice.bridge.BridgeServer;
import io.sluice.common.config.ConfigDef;
import io.sluice.common.config.ConfigException;
import io.sluice.common.config.ConfigFlags;
import io.sluice.common.config.ConfigLoader;
import io.sluice.common.config.ConnectionKeys;
import io.sluice.common.config.SluiceConfig;
import io.sluice.common.ops.Metrics;
import io.sluice.functions.worker.WorkerApp;
import io.sluice.functions.worker.WorkerConfig;
import io.sluice.kafka.embedded.EmbeddedKafkaBroker;
import io.sluice.manifest.ManifestLoader;
import io.sluice.manifest.apply.Applier;
import io.sluice.manifest.cli.ApplyCommand;
import io.sluice.manifest.cli.StatusCommand;
import io.sluice.registry.EmbeddedSchemaRegistry;
import io.sluice.router.RouterApp;
import io.sluice.router.RouterConfig;
import io.sluice.schemas.serde.SchemaRegistries;
import io.sluice.schemas.serde.SerdeConfig;
import io.sluice.testkit.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Router, worker, bridge and apply against a broker that only takes SASL_SSL with SCRAM-SHA-512,
 * all configured through the one set of shared client keys (security keys in their environment
 * form), and a wrong password stopping start-up with a message that names the key.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SecuredKafkaIT {
  private static final String STORE_PASSWORD = "store-secret";
  private static final String USER = "sluice";
  private static final String PASSWORD = "scram-secret";

  @TempDir Path dir;

  @Test
  void everyProcessTalksSaslSslThroughTheSharedKeysAndAWrongPasswordNamesTheKey() throws Exception {
    Path keystore = dir.resolve("broker.p12");
    Path truststore = dir.resolve("trust.p12");
    generateTls(keystore, truststore);
    int plain = FreePorts.next();
    int controller = FreePorts.next();
    int secure = FreePorts.next();
    List<AutoCloseable> open = new ArrayList<>();
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.builder()
                .port(plain)
                .brokerProperties(secureListener(plain, controller, secure, keystore))
                .build()
                .start();
        EmbeddedSchemaRegistry registry =
            EmbeddedSchemaRegistry.builder(broker.bootstrapServers(), 0).build().start()) {
      broker
          .admin()
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      USER, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), PASSWORD)))
          .all()
          .get(10, TimeUnit.SECONDS);
      Map<String, String> env = securityEnvironment(truststore, PASSWORD);
      Map<String, String> connection =
          Map.of(
              ConnectionKeys.BOOTSTRAP_SERVERS,
              "localhost:" + secure,
              ConnectionKeys.SCHEMA_REGISTRY_URL,
              registry.url());
      SluiceConfig shared = load(ConnectionKeys.definition(), env, connection);
      // The credential reaches the broker's cache through the metadata log.
      await("the SCRAM user is known")
          .atMost(Duration.ofSeconds(15))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                try (Admin admin = Admin.create(ConnectionKeys.clientSettings(shared))) {
                  assertThat(admin.describeCluster().clusterId().get(5, TimeUnit.SECONDS))
                      .isNotBlank();
                }
              });

      try {
        runProcesses(shared, env, connection, truststore, open);
      } finally {
        // Before the broker stops: a client closing against a gone broker waits out its timeouts.
        for (int i = open.size() - 1; i >= 0; i--) {
          open.get(i).close();
        }
      }
    }
  }

  private void runProcesses(
      SluiceConfig shared,
      Map<String, String> env,
      Map<String, String> connection,
      Path truststore,
      List<AutoCloseable> open)
      throws Exception {
    SerdeConfig serde = SerdeConfig.from(ConnectionKeys.registrySettings(shared));
    try (Applier applier =
        Applier.create(
            ConnectionKeys.clientSettings(shared), SchemaRegistries.forConfig(serde), serde)) {
      assertThat(applier.apply(ManifestLoader.parse("sluice.yaml", MANIFEST))).isNotEmpty();
    }

    RouterApp router =
        RouterApp.start(
            RouterConfig.from(load(RouterConfig.definition(), env, routerKeys(connection))),
            Metrics.newRegistry("router"),
            false);
    open.add(router);
    WorkerApp worker =
        WorkerApp.start(
            WorkerConfig.from(load(WorkerConfig.definition(), env, workerKeys(connection))));
    open.add(worker);
    BridgeServer bridge =
        BridgeServer.start(
            BridgeConfig.from(load(BridgeConfig.definition(), env, bridgeKeys(connection))));
    open.add(bridge);
    await("router, worker and bridge ready")
        .atMost(Duration.ofSeconds(40))
        .until(
            () -> router.state() == KafkaStreams.State.RUNNING && worker.ready() && bridge.ready());

    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> reply =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://localhost:" + bridge.port() + "/v1/apps/sentiment/infer"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"input\": {\"text\": \"great\"}}"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    assertThat(reply.body()).contains("positive");

    // `sluice apply` itself, the same keys as -D flags: a second run changes nothing.
    Path manifest = dir.resolve("sluice.yaml");
    java.nio.file.Files.writeString(manifest, MANIFEST);
    java.io.StringWriter applyOut = new java.io.StringWriter();
    assertThat(apply(manifest, connection, truststore, PASSWORD, applyOut)).isZero();
    assertThat(applyOut.toString()).contains("no change");

    java.io.StringWriter applyErr = new java.io.StringWriter();
    assertThat(apply(manifest, connection, truststore, "wrong-password", applyErr))
        .isEqualTo(ConfigFlags.EXIT_BAD_CONFIG);
    assertThat(applyErr.toString())
        .contains(ConnectionKeys.SASL_PASSWORD)
        .doesNotContain("wrong-password");

    // `sluice status` tells a rejected login the same way, not as Kafka's raw exception.
    java.io.StringWriter statusErr = new java.io.StringWriter();
    assertThat(
            run(
                new StatusCommand(),
                List.of(),
                connection,
                truststore,
                "wrong-password",
                statusErr))
        .isEqualTo(ConfigFlags.EXIT_BAD_CONFIG);
    assertThat(statusErr.toString())
        .contains(ConnectionKeys.SASL_PASSWORD)
        .doesNotContain("wrong-password");

    // `sluice routes get` and `set` (through the sluice command line, as a user runs them): one
    // line naming the key, not Kafka's stack trace.
    Path routeFile = dir.resolve("route.yaml");
    java.nio.file.Files.writeString(
        routeFile,
        "app: sentiment\nvariants:\n  - {name: main, deployment: sentiment, weight: 100}\n");
    for (List<String> routes :
        List.of(
            List.of("routes", "get", "sentiment"),
            List.of("routes", "set", routeFile.toString()))) {
      java.io.StringWriter routesErr = new java.io.StringWriter();
      assertThat(
              run(
                  SluiceCli.commandLine(),
                  routes,
                  connection,
                  truststore,
                  "wrong-password",
                  routesErr))
          .as("%s: %s", routes, routesErr)
          .isEqualTo(ConfigFlags.EXIT_BAD_CONFIG);
      assertThat(routesErr.toString().strip())
          .as("%s", routes)
          .startsWith("Kafka rejected the SASL login: check " + ConnectionKeys.SASL_USERNAME)
          .contains(ConnectionKeys.SASL_PASSWORD)
          .doesNotContain("\n")
          .doesNotContain("wrong-password");
    }

    Map<String, String> wrong = securityEnvironment(truststore, "wrong-password");
    assertThatThrownBy(
            () ->
                WorkerApp.start(
                    WorkerConfig.from(
                        load(WorkerConfig.definition(), wrong, workerKeys(connection)))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(ConnectionKeys.SASL_PASSWORD)
        .hasMessageNotContaining("wrong-password");
    assertThatThrownBy(
            () ->
                RouterApp.start(
                    RouterConfig.from(
                        load(RouterConfig.definition(), wrong, routerKeys(connection))),
                    Metrics.newRegistry("router-wrong"),
                    false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(ConnectionKeys.SASL_PASSWORD);
    assertThatThrownBy(
            () ->
                BridgeServer.start(
                    BridgeConfig.from(
                        load(BridgeConfig.definition(), wrong, bridgeKeys(connection)))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(ConnectionKeys.SASL_PASSWORD);
  }

  private static final String MANIFEST =
      """
      apiVersion: sluice.io/v1
      deployments:
        sentiment:
          function: sentiment
          partitions: 1
          scaling: {minReplicas: 1, maxReplicas: 1}
      apps:
        sentiment:
          route:
            variants:
              - {name: main, deployment: sentiment}
      """;

  private static SluiceConfig load(
      ConfigDef def, Map<String, String> env, Map<String, String> flags) {
    return ConfigLoader.load(def, null, env, flags);
  }

  /**
   * Runs {@code sluice apply -f manifest} with every key as a -D flag; output goes to {@code out}.
   */
  private static int apply(
      Path manifest,
      Map<String, String> connection,
      Path truststore,
      String password,
      java.io.StringWriter out) {
    return run(
        new ApplyCommand(),
        List.of("-f", manifest.toString()),
        connection,
        truststore,
        password,
        out);
  }

  /** Runs a command with {@code first} then every key as a -D flag; output goes to {@code out}. */
  private static int run(
      Object command,
      List<String> first,
      Map<String, String> connection,
      Path truststore,
      String password,
      java.io.StringWriter out) {
    List<String> args = new ArrayList<>(first);
    Map<String, String> keys = new LinkedHashMap<>(connection);
    keys.put("sluice.kafka.client.security.protocol", "SASL_SSL");
    keys.put("sluice.kafka.client.sasl.mechanism", "SCRAM-SHA-512");
    keys.put("sluice.kafka.client.ssl.truststore.location", truststore.toString());
    keys.put("sluice.kafka.client.ssl.truststore.password", STORE_PASSWORD);
    keys.put("sluice.kafka.client.ssl.truststore.type", "PKCS12");
    keys.put(ConnectionKeys.SASL_USERNAME, USER);
    keys.put(ConnectionKeys.SASL_PASSWORD, password);
    keys.forEach((k, v) -> args.addAll(List.of("-D", k + "=" + v)));
    java.io.PrintWriter w = new java.io.PrintWriter(out, true);
    picocli.CommandLine cli =
        command instanceof picocli.CommandLine given ? given : new picocli.CommandLine(command);
    return cli.setOut(w).setErr(w).execute(args.toArray(String[]::new));
  }

  /** The security keys in their environment form, as a pod's env would carry them. */
  private static Map<String, String> securityEnvironment(Path truststore, String password) {
    return Map.of(
        "SLUICE_KAFKA_CLIENT_SECURITY_PROTOCOL",
        "SASL_SSL",
        "SLUICE_KAFKA_CLIENT_SASL_MECHANISM",
        "SCRAM-SHA-512",
        "SLUICE_KAFKA_CLIENT_SSL_TRUSTSTORE_LOCATION",
        truststore.toString(),
        "SLUICE_KAFKA_CLIENT_SSL_TRUSTSTORE_PASSWORD",
        STORE_PASSWORD,
        "SLUICE_KAFKA_CLIENT_SSL_TRUSTSTORE_TYPE",
        "PKCS12",
        "SLUICE_KAFKA_SASL_USERNAME",
        USER,
        "SLUICE_KAFKA_SASL_PASSWORD",
        password);
  }

  private Map<String, String> routerKeys(Map<String, String> connection) {
    Map<String, String> m = new LinkedHashMap<>(connection);
    m.put(RouterConfig.STATE_DIR, dir.resolve("router-" + System.nanoTime()).toString());
    return m;
  }

  private static Map<String, String> workerKeys(Map<String, String> connection) {
    Map<String, String> m = new LinkedHashMap<>(connection);
    m.put(WorkerConfig.DEPLOYMENT, "sentiment");
    m.put(WorkerConfig.FUNCTION, "sentiment");
    m.put(WorkerConfig.MANAGEMENT_PORT, "-1");
    return m;
  }

  private static Map<String, String> bridgeKeys(Map<String, String> connection) {
    Map<String, String> m = new LinkedHashMap<>(connection);
    m.put(BridgeConfig.HOST, "localhost");
    m.put(BridgeConfig.PORT, "0");
    return m;
  }

  /** A PLAINTEXT listener for the test's own admin and the registry, and a SASL_SSL one. */
  private static Map<String, String> secureListener(
      int plain, int controller, int secure, Path keystore) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(
        "listeners",
        "PLAINTEXT://localhost:"
            + plain
            + ",CONTROLLER://localhost:"
            + controller
            + ",SECURE://localhost:"
            + secure);
    p.put(
        "advertised.listeners", "PLAINTEXT://localhost:" + plain + ",SECURE://localhost:" + secure);
    p.put("controller.quorum.voters", "1@localhost:" + controller);
    p.put(
        "listener.security.protocol.map",
        "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SECURE:SASL_SSL");
    p.put("listener.name.secure.sasl.enabled.mechanisms", "SCRAM-SHA-512");
    p.put(
        "listener.name.secure.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    p.put("listener.name.secure.ssl.keystore.location", keystore.toString());
    p.put("listener.name.secure.ssl.keystore.password", STORE_PASSWORD);
    p.put("listener.name.secure.ssl.key.password", STORE_PASSWORD);
    p.put("listener.name.secure.ssl.keystore.type", "PKCS12");
    return p;
  }

  /** A self-signed certificate for localhost (its own CA) and a trust store holding it. */
  private void generateTls(Path keystore, Path truststore) throws Exception {
    Path cert = dir.resolve("broker.crt");
    keytool(
        "-genkeypair",
        "-alias",
        "broker",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=localhost",
        "-ext",
        "san=dns:localhost,ip:127.0.0.1",
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        keystore.toString(),
        "-storepass",
        STORE_PASSWORD,
        "-keypass",
        STORE_PASSWORD);
    keytool(
        "-exportcert",
        "-alias",
        "broker",
        "-rfc",
        "-file",
        cert.toString(),
        "-keystore",
        keystore.toString(),
        "-storepass",
        STORE_PASSWORD);
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        cert.toString(),
        "-storetype",
        "PKCS12",
        "-keystore",
        truststore.toString(),
        "-storepass",
        STORE_PASSWORD);
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("keytool %s: %s", args[0], output).isZero();
  }
}
