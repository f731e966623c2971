package io.sluice.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.avro.InferenceRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RestSchemaRegistryClientTest {
  private static final Schema SCHEMA = InferenceRequest.getClassSchema();
  private MockWebServer server;
  private RestSchemaRegistryClient client;

  @BeforeEach
  void start() throws IOException {
    server = new MockWebServer();
    server.start();
    client =
        RestSchemaRegistryClient.builder(server.url("/").toString())
            .timeout(Duration.ofSeconds(2))
            .build();
  }

  @AfterEach
  void stop() throws IOException {
    server.shutdown();
  }

  private static MockResponse json(int status, String body) {
    return new MockResponse()
        .setResponseCode(status)
        .setHeader("Content-Type", "application/vnd.schemaregistry.v1+json")
        .setBody(body);
  }

  @Test
  void registerPostsTheDocumentedRequestAndCachesTheId() throws Exception {
    server.enqueue(json(200, "{\"id\": 7}"));

    assertThat(client.register("sluice.requests.chat-value", SCHEMA)).isEqualTo(7);
    assertThat(client.register("sluice.requests.chat-value", SCHEMA)).isEqualTo(7);
    assertThat(client.getById(7)).isEqualTo(SCHEMA);

    assertThat(server.getRequestCount()).isEqualTo(1);
    RecordedRequest r = server.takeRequest(1, TimeUnit.SECONDS);
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getPath()).isEqualTo("/subjects/sluice.requests.chat-value/versions");
    assertThat(r.getHeader("Content-Type")).startsWith("application/vnd.schemaregistry.v1+json");
    assertThat(r.getHeader("Accept")).contains("application/vnd.schemaregistry.v1+json");
    String body = r.getBody().readUtf8();
    assertThat(
            new Schema.Parser()
                .parse(
                    new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(body)
                        .get("schema")
                        .asText()))
        .isEqualTo(SCHEMA);
  }

  @Test
  void getByIdFetchesOncePerId() {
    server.enqueue(json(200, "{\"schema\": " + quote(SCHEMA.toString()) + "}"));
    assertThat(client.getById(3)).isEqualTo(SCHEMA);
    assertThat(client.getById(3)).isEqualTo(SCHEMA);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void latestAndLookupReturnMetadata() throws InterruptedException {
    String meta =
        "{\"subject\":\"s\",\"id\":4,\"version\":2,\"schema\":" + quote(SCHEMA.toString()) + "}";
    server.enqueue(json(200, meta));
    server.enqueue(json(200, meta));
    assertThat(client.getLatest("s")).isEqualTo(new SchemaMetadata("s", 4, 2, SCHEMA));
    assertThat(client.lookup("s", SCHEMA).version()).isEqualTo(2);
    assertThat(server.takeRequest().getPath()).isEqualTo("/subjects/s/versions/latest");
    assertThat(server.takeRequest().getPath()).isEqualTo("/subjects/s");
  }

  @Test
  void compatibilityAndConfigFollowTheApi() throws InterruptedException {
    server.enqueue(json(200, "{\"is_compatible\": false}"));
    server.enqueue(json(200, "{\"compatibility\": \"FULL\"}"));
    server.enqueue(json(200, "{\"compatibilityLevel\": \"FULL\"}"));
    assertThat(client.isCompatible("s", SCHEMA)).isFalse();
    client.setCompatibility("s", CompatibilityLevel.FULL);
    assertThat(client.getCompatibility("s")).isEqualTo(CompatibilityLevel.FULL);
    assertThat(server.takeRequest().getPath())
        .isEqualTo("/compatibility/subjects/s/versions/latest");
    RecordedRequest put = server.takeRequest();
    assertThat(put.getMethod()).isEqualTo("PUT");
    assertThat(put.getBody().readUtf8()).isEqualTo("{\"compatibility\":\"FULL\"}");
  }

  @ParameterizedTest
  @CsvSource({
    "404, 40401, SubjectNotFoundException",
    "404, 40402, VersionNotFoundException",
    "404, 40403, SchemaNotFoundException",
    "409, 409, IncompatibleSchemaException",
    "422, 42201, InvalidSchemaException",
    "422, 42202, InvalidVersionException",
    "422, 42203, InvalidCompatibilityLevelException",
    "500, 50001, RegistryServerException",
    "500, 50002, RegistryServerException",
    "500, 50003, RegistryServerException",
  })
  void errorCodesMapToTypedExceptions(int status, int code, String type) {
    server.enqueue(json(status, "{\"error_code\":" + code + ",\"message\":\"boom " + code + "\"}"));
    assertThatThrownBy(() -> client.register("s", SCHEMA))
        .isInstanceOf(SchemaRegistryException.class)
        .satisfies(
            e -> {
              SchemaRegistryException s = (SchemaRegistryException) e;
              assertThat(s.getClass().getSimpleName()).isEqualTo(type);
              assertThat(s.errorCode()).isEqualTo(code);
              assertThat(s.httpStatus()).isEqualTo(status);
              assertThat(s.isRetriable()).isEqualTo(status >= 500);
            })
        .hasMessageContaining("boom " + code);
  }

  @Test
  void aNonJsonErrorPageKeepsTheHttpStatus() {
    server.enqueue(new MockResponse().setResponseCode(502).setBody("<html>bad gateway</html>"));
    assertThatThrownBy(() -> client.getById(1))
        .isInstanceOf(SchemaRegistryException.RegistryServerException.class)
        .hasMessageContaining("HTTP 502");
  }

  @Test
  void anUnreachableRegistryIsRetriableAndNamesTheUrl() {
    server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AT_START));
    assertThatThrownBy(() -> client.getById(1))
        .isInstanceOfSatisfying(
            SchemaRegistryException.RegistryUnavailableException.class,
            e -> assertThat(e.isRetriable()).isTrue())
        .hasMessageContaining(server.url("/").toString().replaceAll("/$", ""));
  }

  @Test
  void theNextUrlIsTriedWhenOneIsDown() throws IOException {
    MockWebServer second = new MockWebServer();
    second.enqueue(json(200, "{\"id\": 9}"));
    second.start();
    try {
      RestSchemaRegistryClient twoUrls =
          RestSchemaRegistryClient.builder("http://127.0.0.1:1," + second.url("/"))
              .timeout(Duration.ofSeconds(2))
              .build();
      assertThat(twoUrls.register("s", SCHEMA)).isEqualTo(9);
    } finally {
      second.shutdown();
    }
  }

  @Test
  void basicAuthIsSentAndRedactedFromToString() throws InterruptedException {
    RestSchemaRegistryClient auth =
        RestSchemaRegistryClient.builder(server.url("/").toString())
            .basicAuth("svc", "s3cret")
            .build();
    server.enqueue(json(200, "[\"a\",\"b\"]"));
    assertThat(auth.subjects()).containsExactly("a", "b");
    assertThat(server.takeRequest().getHeader("Authorization")).startsWith("Basic ");
    assertThat(auth.toString()).doesNotContain("s3cret");
  }

  @Test
  void subjectsAreUrlEncoded() throws InterruptedException {
    server.enqueue(json(200, "[1,2]"));
    assertThat(client.versions("a b/c")).containsExactly(1, 2);
    assertThat(server.takeRequest().getPath()).isEqualTo("/subjects/a%20b%2Fc/versions");
  }

  private static String quote(String s) {
    return com.fasterxml.jackson.databind.node.TextNode.valueOf(s).toString();
  }
}
