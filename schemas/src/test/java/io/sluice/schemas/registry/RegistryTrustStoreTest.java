package io.sluice.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry behind TLS with a private CA: the client trusts it through a PEM bundle (what a
 * Kubernetes Secret's {@code ca.crt} holds) or a PKCS12 store, and refuses it without one.
 */
class RegistryTrustStoreTest {
  private static final String PASSWORD = "changeit";
  @TempDir static Path dir;
  private static Path keystore;
  private static Path pem;
  private static Path pkcs12;

  @BeforeAll
  static void certificates() throws Exception {
    keystore = dir.resolve("server.p12");
    pem = dir.resolve("ca.crt");
    pkcs12 = dir.resolve("trust.p12");
    keytool(
        "-genkeypair",
        "-alias",
        "server",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=localhost",
        "-ext",
        "san=dns:localhost,ip:127.0.0.1",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        keystore.toString(),
        "-storepass",
        PASSWORD,
        "-keypass",
        PASSWORD);
    keytool(
        "-exportcert",
        "-alias",
        "server",
        "-rfc",
        "-file",
        pem.toString(),
        "-keystore",
        keystore.toString(),
        "-storepass",
        PASSWORD);
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        pem.toString(),
        "-storetype",
        "PKCS12",
        "-keystore",
        pkcs12.toString(),
        "-storepass",
        PASSWORD);
  }

  private static MockWebServer httpsServer() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, PASSWORD.toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    MockWebServer server = new MockWebServer();
    server.useHttps(ctx.getSocketFactory(), false);
    server.enqueue(new MockResponse().setBody("[\"orders-value\"]"));
    server.start();
    return server;
  }

  private static String url(MockWebServer server) {
    return "https://localhost:" + server.getPort();
  }

  @Test
  void aPemBundleIsTrusted() throws Exception {
    try (MockWebServer server = httpsServer()) {
      RestSchemaRegistryClient client =
          RestSchemaRegistryClient.builder(url(server)).trustStore(pem, null).build();
      assertThat(client.subjects()).containsExactly("orders-value");
    }
  }

  @Test
  void aPkcs12StoreIsTrusted() throws Exception {
    try (MockWebServer server = httpsServer()) {
      RestSchemaRegistryClient client =
          RestSchemaRegistryClient.builder(url(server)).trustStore(pkcs12, PASSWORD).build();
      assertThat(client.subjects()).containsExactly("orders-value");
    }
  }

  @Test
  void withoutTheCaTheRegistryIsRefused() throws Exception {
    try (MockWebServer server = httpsServer()) {
      RestSchemaRegistryClient client = RestSchemaRegistryClient.builder(url(server)).build();
      assertThatThrownBy(client::subjects).isInstanceOf(RuntimeException.class);
    }
  }

  @Test
  void aPemFileWithoutCertificatesIsNamed() throws Exception {
    Path empty = dir.resolve("empty.pem");
    Files.writeString(empty, "-----BEGIN NOTHING-----\n-----END NOTHING-----\n");
    assertThatThrownBy(() -> RestSchemaRegistryClient.builder("https://x").trustStore(empty, null))
        .hasMessageContaining(empty.toString());
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("keytool %s: %s", args[0], output).isZero();
  }
}
