package io.sluice.registry;

import static io.sluice.registry.Schemas.ORDER;
import static io.sluice.registry.Schemas.USER_EMPTY;
import static io.sluice.registry.Schemas.USER_V1;
import static io.sluice.registry.Schemas.USER_V1_REFORMATTED;
import static io.sluice.registry.Schemas.USER_V2_NO_DEFAULT;
import static io.sluice.registry.Schemas.USER_V2_WITH_DEFAULT;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.registry.RegistryClient.Reply;
import io.sluice.registry.store.InMemorySchemaStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The REST API over a real HTTP server, on the in-memory store. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EmbeddedSchemaRegistryTest {

  private final InMemorySchemaStore store = new InMemorySchemaStore();
  private EmbeddedSchemaRegistry registry;
  private RegistryClient client;

  @BeforeEach
  void start() {
    registry = EmbeddedSchemaRegistry.builder(store, 0).host("127.0.0.1").build().start();
    client = new RegistryClient(registry.url());
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  @Test
  void rootAnswersEmptyObjectInConfluentsContentType() {
    Reply reply = client.get("/");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.contentType()).isEqualTo(RegistryClient.V1);
    assertThat(reply.json()).isEqualTo(new JsonObject());
  }

  @Test
  void newSchemaGetsAnIdAndTheSameSchemaAgainTheSameId() {
    Reply first = client.register("users-value", USER_V1);
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.json().fieldNames()).containsExactly("id");
    int id = first.json().getInteger("id");

    Reply again = client.register("users-value", USER_V1_REFORMATTED);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getInteger("id")).isEqualTo(id);
    assertThat(client.get("/subjects/users-value/versions").array())
        .isEqualTo(new JsonArray().add(1));
  }

  @Test
  void theSameSchemaUnderAnotherSubjectReusesTheGlobalId() {
    int id = client.register("a-value", USER_V1).json().getInteger("id");
    int other = client.register("b-value", USER_V2_WITH_DEFAULT).json().getInteger("id");
    assertThat(other).isNotEqualTo(id);

    assertThat(client.register("b-value", USER_V1).json().getInteger("id")).isEqualTo(id);
    JsonObject latest = client.get("/subjects/b-value/versions/latest").json();
    assertThat(latest.getInteger("version")).isEqualTo(2);
    assertThat(latest.getInteger("id")).isEqualTo(id);
    assertThat(client.get("/schemas/ids/" + id + "/subjects").array())
        .isEqualTo(new JsonArray().add("a-value").add("b-value"));
    assertThat(client.get("/schemas/ids/" + id + "/versions").array())
        .isEqualTo(
            new JsonArray()
                .add(new JsonObject().put("subject", "a-value").put("version", 1))
                .add(new JsonObject().put("subject", "b-value").put("version", 2)));
  }

  @Test
  void schemaByIdReturnsTheSchemaAndUnknownIdsAre40403() {
    int id = client.register("users-value", USER_V1).json().getInteger("id");

    JsonObject byId = client.get("/schemas/ids/" + id).json();
    assertThat(byId.fieldNames()).containsExactly("schema");
    assertThat(new Schema.Parser().parse(byId.getString("schema")))
        .isEqualTo(new Schema.Parser().parse(USER_V1));

    Reply unknown = client.get("/schemas/ids/4242");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.errorCode()).isEqualTo(40403);
    assertThat(unknown.json().getString("message")).isEqualTo("Schema 4242 not found");
  }

  @Test
  void incompatibleSchemaIsRejectedWith409() {
    client.register("users-value", USER_V1);

    Reply reply = client.register("users-value", USER_V2_NO_DEFAULT);
    assertThat(reply.status()).isEqualTo(409);
    assertThat(reply.errorCode()).isEqualTo(409);
    assertThat(reply.json().getString("message"))
        .startsWith("Schema being registered is incompatible with an earlier schema")
        .contains("READER_FIELD_MISSING_DEFAULT_VALUE");
    assertThat(client.get("/subjects/users-value/versions").array())
        .isEqualTo(new JsonArray().add(1));
  }

  @Test
  void compatibleEvolutionGetsTheNextVersion() {
    int v1 = client.register("users-value", USER_V1).json().getInteger("id");
    int v2 = client.register("users-value", USER_V2_WITH_DEFAULT).json().getInteger("id");
    assertThat(v2).isNotEqualTo(v1);

    JsonObject version2 = client.get("/subjects/users-value/versions/2").json();
    assertThat(version2.fieldNames()).containsExactly("subject", "version", "id", "schema");
    assertThat(version2.getString("subject")).isEqualTo("users-value");
    assertThat(version2.getInteger("id")).isEqualTo(v2);
    assertThat(client.get("/subjects/users-value/versions/-1").json()).isEqualTo(version2);

    Reply raw = client.get("/subjects/users-value/versions/1/schema");
    assertThat(new Schema.Parser().parse(raw.body())).isEqualTo(new Schema.Parser().parse(USER_V1));
    assertThat(client.get("/subjects").array()).isEqualTo(new JsonArray().add("users-value"));
  }

  @Test
  void unknownSubjectIs40401AndUnknownVersion40402AndBadVersion42202() {
    Reply subject = client.get("/subjects/nope-value/versions");
    assertThat(subject.status()).isEqualTo(404);
    assertThat(subject.errorCode()).isEqualTo(40401);
    assertThat(subject.json().getString("message")).isEqualTo("Subject 'nope-value' not found.");
    assertThat(client.get("/subjects/nope-value/versions/latest").errorCode()).isEqualTo(40401);

    client.register("users-value", USER_V1);
    Reply version = client.get("/subjects/users-value/versions/7");
    assertThat(version.status()).isEqualTo(404);
    assertThat(version.errorCode()).isEqualTo(40402);

    Reply bad = client.get("/subjects/users-value/versions/zero");
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.errorCode()).isEqualTo(42202);
    assertThat(client.get("/subjects/users-value/versions/0").errorCode()).isEqualTo(42202);
  }

  @Test
  void invalidSchemaIs42201() {
    Reply notJson = client.register("users-value", "{\"type\": \"record\", \"name\": ");
    assertThat(notJson.status()).isEqualTo(422);
    assertThat(notJson.errorCode()).isEqualTo(42201);

    Reply unknownType = client.register("users-value", "{\"type\": \"nosuchtype\"}");
    assertThat(unknownType.status()).isEqualTo(422);
    assertThat(unknownType.errorCode()).isEqualTo(42201);

    Reply badDefault =
        client.register(
            "users-value",
            "{\"type\":\"record\",\"name\":\"R\",\"fields\":"
                + "[{\"name\":\"n\",\"type\":\"int\",\"default\":\"text\"}]}");
    assertThat(badDefault.errorCode()).isEqualTo(42201);

    Reply protobuf =
        client.post(
            "/subjects/users-value/versions",
            new JsonObject().put("schema", "syntax = \"proto3\";").put("schemaType", "PROTOBUF"));
    assertThat(protobuf.errorCode()).isEqualTo(42201);

    Reply missing = client.post("/subjects/users-value/versions", new JsonObject());
    assertThat(missing.errorCode()).isEqualTo(42201);
    assertThat(client.get("/subjects").array()).isEmpty();
  }

  @Test
  void explicitAvroSchemaTypeIsAccepted() {
    Reply reply =
        client.post(
            "/subjects/users-value/versions",
            new JsonObject().put("schema", USER_V1).put("schemaType", "AVRO"));
    assertThat(reply.status()).isEqualTo(200);
    assertThat(client.get("/schemas/types").array()).isEqualTo(new JsonArray().add("AVRO"));
  }

  @Test
  void lookupFindsTheVersionOrAnswers40403Or40401() {
    int id = client.register("users-value", USER_V1).json().getInteger("id");
    client.register("users-value", USER_V2_WITH_DEFAULT);

    Reply found =
        client.post("/subjects/users-value", new JsonObject().put("schema", USER_V1_REFORMATTED));
    assertThat(found.status()).isEqualTo(200);
    assertThat(found.json().getString("subject")).isEqualTo("users-value");
    assertThat(found.json().getInteger("id")).isEqualTo(id);
    assertThat(found.json().getInteger("version")).isEqualTo(1);
    assertThat(found.json().getString("schema")).isNotBlank();

    Reply notRegistered =
        client.post("/subjects/users-value", new JsonObject().put("schema", ORDER));
    assertThat(notRegistered.status()).isEqualTo(404);
    assertThat(notRegistered.errorCode()).isEqualTo(40403);

    Reply noSubject = client.post("/subjects/nope", new JsonObject().put("schema", USER_V1));
    assertThat(noSubject.status()).isEqualTo(404);
    assertThat(noSubject.errorCode()).isEqualTo(40401);
  }

  @Test
  void globalConfigDefaultsToBackwardAndCanBeChanged() {
    assertThat(client.get("/config").json())
        .isEqualTo(new JsonObject().put("compatibilityLevel", "BACKWARD"));

    Reply put = client.put("/config", new JsonObject().put("compatibility", "FULL"));
    assertThat(put.status()).isEqualTo(200);
    assertThat(put.json()).isEqualTo(new JsonObject().put("compatibility", "FULL"));
    assertThat(client.get("/config").json().getString("compatibilityLevel")).isEqualTo("FULL");

    Reply invalid = client.put("/config", new JsonObject().put("compatibility", "SIDEWAYS"));
    assertThat(invalid.status()).isEqualTo(422);
    assertThat(invalid.errorCode()).isEqualTo(42203);

    assertThat(client.delete("/config").json())
        .isEqualTo(new JsonObject().put("compatibilityLevel", "FULL"));
    assertThat(client.get("/config").json().getString("compatibilityLevel")).isEqualTo("BACKWARD");
  }

  @Test
  void perSubjectConfigOverridesTheGlobalLevel() {
    client.register("loose-value", USER_V1);
    client.register("strict-value", USER_V1);

    Reply put = client.put("/config/loose-value", new JsonObject().put("compatibility", "none"));
    assertThat(put.json()).isEqualTo(new JsonObject().put("compatibility", "NONE"));
    assertThat(client.get("/config/loose-value").json())
        .isEqualTo(new JsonObject().put("compatibilityLevel", "NONE"));

    assertThat(client.register("loose-value", USER_V2_NO_DEFAULT).status()).isEqualTo(200);
    assertThat(client.register("strict-value", USER_V2_NO_DEFAULT).status()).isEqualTo(409);

    Reply unset = client.get("/config/strict-value");
    assertThat(unset.status()).isEqualTo(404);
    assertThat(unset.errorCode()).isEqualTo(40408);
    assertThat(client.get("/config/strict-value?defaultToGlobal=true").json())
        .isEqualTo(new JsonObject().put("compatibilityLevel", "BACKWARD"));

    Reply deleted = client.delete("/config/loose-value");
    assertThat(deleted.json()).isEqualTo(new JsonObject().put("compatibilityLevel", "NONE"));
    assertThat(client.get("/config/loose-value").errorCode()).isEqualTo(40408);
  }

  @Test
  void forwardAndTransitiveLevelsCompareTheRightVersions() {
    client.put("/config/fwd-value", new JsonObject().put("compatibility", "FORWARD"));
    client.register("fwd-value", USER_V1);
    // Dropping a field without default: new data cannot be read by v1 readers.
    assertThat(client.register("fwd-value", USER_EMPTY).errorCode()).isEqualTo(409);

    client.register("bt-value", USER_V1);
    client.register("bt-value", USER_EMPTY);
    // BACKWARD only looks at the latest (empty): a required field added back is fine vs. it...
    client.put("/config/bt-value", new JsonObject().put("compatibility", "BACKWARD"));
    assertThat(
            client
                .post(
                    "/compatibility/subjects/bt-value/versions/latest",
                    new JsonObject().put("schema", USER_V2_NO_DEFAULT))
                .json()
                .getBoolean("is_compatible"))
        .isFalse();
    client.put("/config/bt-value", new JsonObject().put("compatibility", "BACKWARD_TRANSITIVE"));
    String nameWithDefault =
        "{\"type\":\"record\",\"name\":\"User\",\"namespace\":\"io.sluice.test\","
            + "\"fields\":[{\"name\":\"name\",\"type\":\"string\",\"default\":\"\"}]}";
    assertThat(client.register("bt-value", nameWithDefault).status()).isEqualTo(200);
    // ...while transitive also checks v1, which a reader without defaults for new fields fails.
    String withCount =
        "{\"type\":\"record\",\"name\":\"User\",\"namespace\":\"io.sluice.test\","
            + "\"fields\":[{\"name\":\"name\",\"type\":\"string\",\"default\":\"\"},"
            + "{\"name\":\"count\",\"type\":\"int\"}]}";
    assertThat(client.register("bt-value", withCount).errorCode()).isEqualTo(409);
  }

  @Test
  void compatibilityEndpointAnswersWithoutRegistering() {
    client.register("users-value", USER_V1);

    Reply ok =
        client.post(
            "/compatibility/subjects/users-value/versions/latest",
            new JsonObject().put("schema", USER_V2_WITH_DEFAULT));
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.json()).isEqualTo(new JsonObject().put("is_compatible", true));

    Reply bad =
        client.post(
            "/compatibility/subjects/users-value/versions/1?verbose=true",
            new JsonObject().put("schema", USER_V2_NO_DEFAULT));
    assertThat(bad.status()).isEqualTo(200);
    assertThat(bad.json().getBoolean("is_compatible")).isFalse();
    assertThat(bad.json().getJsonArray("messages").encode())
        .contains("READER_FIELD_MISSING_DEFAULT_VALUE");

    Reply noSuchVersion =
        client.post(
            "/compatibility/subjects/users-value/versions/9",
            new JsonObject().put("schema", USER_V1));
    assertThat(noSuchVersion.errorCode()).isEqualTo(40402);
    Reply newSubject =
        client.post(
            "/compatibility/subjects/fresh-value/versions/latest",
            new JsonObject().put("schema", USER_V1));
    assertThat(newSubject.json().getBoolean("is_compatible")).isTrue();
    assertThat(client.get("/subjects/users-value/versions").array()).hasSize(1);
  }

  @Test
  void softAndPermanentDeletesFollowConfluentsRules() {
    client.register("users-value", USER_V1);
    client.register("users-value", USER_V2_WITH_DEFAULT);

    Reply permanentFirst = client.delete("/subjects/users-value/versions/2?permanent=true");
    assertThat(permanentFirst.errorCode()).isEqualTo(40407);

    assertThat(client.delete("/subjects/users-value/versions/2").body()).isEqualTo("2");
    assertThat(client.get("/subjects/users-value/versions").array())
        .isEqualTo(new JsonArray().add(1));
    assertThat(client.get("/subjects/users-value/versions?deleted=true").array())
        .isEqualTo(new JsonArray().add(1).add(2));
    assertThat(client.delete("/subjects/users-value/versions/2").errorCode()).isEqualTo(40406);
    assertThat(client.delete("/subjects/users-value/versions/2?permanent=true").body())
        .isEqualTo("2");

    assertThat(client.delete("/subjects/users-value?permanent=true").errorCode()).isEqualTo(40405);
    assertThat(client.delete("/subjects/users-value").array()).isEqualTo(new JsonArray().add(1));
    assertThat(client.get("/subjects").array()).isEmpty();
    assertThat(client.get("/subjects?deleted=true").array())
        .isEqualTo(new JsonArray().add("users-value"));
    assertThat(client.delete("/subjects/users-value").errorCode()).isEqualTo(40404);
    assertThat(client.delete("/subjects/users-value?permanent=true").array())
        .isEqualTo(new JsonArray().add(1));
    assertThat(client.get("/subjects?deleted=true").array()).isEmpty();
    assertThat(client.delete("/subjects/users-value").errorCode()).isEqualTo(40401);
  }

  @Test
  void reRegisteringASoftDeletedSchemaGetsANewVersionAndTheSameId() {
    int id = client.register("users-value", USER_V1).json().getInteger("id");
    client.delete("/subjects/users-value");

    assertThat(client.register("users-value", USER_V1).json().getInteger("id")).isEqualTo(id);
    assertThat(client.get("/subjects/users-value/versions").array())
        .isEqualTo(new JsonArray().add(2));
  }

  @Test
  void stateSurvivesARestartOnTheSameStore() {
    int id = client.register("users-value", USER_V1).json().getInteger("id");
    client.put("/config/users-value", new JsonObject().put("compatibility", "NONE"));
    registry.close();

    registry = EmbeddedSchemaRegistry.builder(store, 0).host("127.0.0.1").build().start();
    client = new RegistryClient(registry.url());
    assertThat(client.register("users-value", USER_V1_REFORMATTED).json().getInteger("id"))
        .isEqualTo(id);
    assertThat(client.get("/config/users-value").json().getString("compatibilityLevel"))
        .isEqualTo("NONE");
    assertThat(client.register("orders-value", ORDER).json().getInteger("id")).isEqualTo(id + 1);
  }

  @Test
  void unknownRoutesAndMethodsAnswerJsonErrors() {
    Reply notFound = client.get("/no/such/route");
    assertThat(notFound.status()).isEqualTo(404);
    assertThat(notFound.errorCode()).isEqualTo(404);

    Reply notAllowed = client.put("/subjects", new JsonObject());
    assertThat(notAllowed.status()).isEqualTo(405);
    assertThat(notAllowed.errorCode()).isEqualTo(405);
  }

  @Test
  void requestContentTypesFollowConfluent() {
    for (String type :
        new String[] {
          "application/json", "application/vnd.schemaregistry+json", RegistryClient.V1
        }) {
      Reply reply =
          client.send(
              client
                  .request("/subjects/ct-value/versions")
                  .header("Content-Type", type)
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          new JsonObject().put("schema", USER_V1).encode()))
                  .build());
      assertThat(reply.status()).as(type).isEqualTo(200);
    }
    Reply form =
        client.send(
            client
                .request("/subjects/ct-value/versions")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("schema=x"))
                .build());
    assertThat(form.status()).isEqualTo(415);
    assertThat(form.errorCode()).isEqualTo(415);

    Reply plainJson = client.send(client.request("/subjects", "application/json").GET().build());
    assertThat(plainJson.contentType()).isEqualTo("application/json");
  }

  @Test
  void malformedJsonBodyIs400() {
    Reply reply =
        client.send(
            client
                .request("/subjects/x-value/versions")
                .header("Content-Type", RegistryClient.V1)
                .POST(HttpRequest.BodyPublishers.ofString("{not json"))
                .build());
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorCode()).isEqualTo(400);
  }
}
