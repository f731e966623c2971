package io.sluice.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The simulator's n choices, pass-through parameters and embeddings, over HTTP. */
@Timeout(30)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SimulatorServerTest {
  private SimulatorServer sim;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start() {
    sim = SimulatorServer.start(SimulatorConfig.defaults(0));
  }

  @AfterAll
  void stop() {
    sim.close();
  }

  private HttpResponse<String> post(String path, JsonObject body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(sim.baseUrl() + path))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonObject ok(String path, JsonObject body) throws Exception {
    HttpResponse<String> r = post(path, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  @Test
  void nChoicesPerPromptAreNumberedPromptTimesNPlusSample() throws Exception {
    JsonObject o =
        ok(
            "/v1/completions",
            new JsonObject()
                .put("prompt", new JsonArray().add("a b").add("c d"))
                .put("n", 2)
                .put("max_tokens", 2)
                .put("frequency_penalty", 0.5)
                .put("logit_bias", new JsonObject().put("1", -100)));
    JsonArray choices = o.getJsonArray("choices");
    assertThat(choices).hasSize(4);
    String[] expected = {"a b", "b a", "c d", "d c"};
    for (int i = 0; i < 4; i++) {
      assertThat(choices.getJsonObject(i).getInteger("index")).isEqualTo(i);
      assertThat(choices.getJsonObject(i).getString("text")).isEqualTo(expected[i]);
    }
    // Prompt tokens count each prompt once; every choice generates max_tokens.
    assertThat(o.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(4);
    assertThat(o.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(8);
    assertThat(
            post("/v1/completions", new JsonObject().put("prompt", "x").put("n", 0)).statusCode())
        .isEqualTo(400);
  }

  @Test
  void logprobsAndARequiredToolCallAreAnswered() throws Exception {
    JsonObject chat =
        ok(
            "/v1/chat/completions",
            new JsonObject()
                .put("messages", new JsonArray().add(user("hi there")))
                .put("max_tokens", 2)
                .put("logprobs", true)
                .put("top_logprobs", 2));
    JsonObject lp = chat.getJsonArray("choices").getJsonObject(0).getJsonObject("logprobs");
    assertThat(lp.getJsonArray("content")).hasSize(2);
    assertThat(lp.getJsonArray("content").getJsonObject(1).getString("token")).isEqualTo(" there");
    assertThat(lp.getJsonArray("content").getJsonObject(0).getJsonArray("top_logprobs")).hasSize(2);

    JsonObject completion =
        ok(
            "/v1/completions",
            new JsonObject().put("prompt", "x y").put("max_tokens", 3).put("logprobs", 1));
    JsonObject clp = completion.getJsonArray("choices").getJsonObject(0).getJsonObject("logprobs");
    assertThat(clp.getJsonArray("tokens")).hasSize(3);
    assertThat(clp.getJsonArray("text_offset").getInteger(1)).isEqualTo(1);

    JsonObject tool =
        new JsonObject()
            .put("type", "function")
            .put("function", new JsonObject().put("name", "get_weather"));
    JsonObject called =
        ok(
            "/v1/chat/completions",
            new JsonObject()
                .put("messages", new JsonArray().add(user("weather?")))
                .put("tools", new JsonArray().add(tool))
                .put("tool_choice", "required"));
    JsonObject choice = called.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("tool_calls");
    assertThat(choice.getJsonObject("message").getValue("content")).isNull();
    assertThat(
            choice
                .getJsonObject("message")
                .getJsonArray("tool_calls")
                .getJsonObject(0)
                .getJsonObject("function")
                .getString("name"))
        .isEqualTo("get_weather");

    JsonObject auto =
        ok(
            "/v1/chat/completions",
            new JsonObject()
                .put("messages", new JsonArray().add(user("weather?")))
                .put("tools", new JsonArray().add(tool))
                .put("tool_choice", "auto")
                .put("max_tokens", 1));
    assertThat(
            auto.getJsonArray("choices")
                .getJsonObject(0)
                .getJsonObject("message")
                .getString("content"))
        .isEqualTo("weather?");
  }

  @Test
  void embeddingsAreDeterministicUnitVectorsAsFloatsOrBase64() throws Exception {
    JsonObject o =
        ok(
            "/v1/embeddings",
            new JsonObject()
                .put("input", new JsonArray().add("red fox").add("blue"))
                .put("dimensions", 8));
    assertThat(o.getString("object")).isEqualTo("list");
    JsonArray data = o.getJsonArray("data");
    assertThat(data).hasSize(2);
    JsonArray v0 = data.getJsonObject(0).getJsonArray("embedding");
    assertThat(v0).hasSize(8);
    double norm = 0;
    for (int i = 0; i < v0.size(); i++) {
      norm += v0.getDouble(i) * v0.getDouble(i);
    }
    assertThat(norm).isCloseTo(1.0, within(1e-5));
    assertThat(data.getJsonObject(1).getJsonArray("embedding")).isNotEqualTo(v0);
    assertThat(o.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(3);

    JsonObject again =
        ok(
            "/v1/embeddings",
            new JsonObject()
                .put("input", "red fox")
                .put("dimensions", 8)
                .put("encoding_format", "base64"));
    byte[] bytes =
        Base64.getDecoder()
            .decode(again.getJsonArray("data").getJsonObject(0).getString("embedding"));
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bytes).hasSize(8 * 4);
    for (int i = 0; i < 8; i++) {
      assertThat((double) b.getFloat()).isCloseTo(v0.getDouble(i), within(1e-6));
    }
    assertThat(
            ok("/v1/embeddings", new JsonObject().put("input", "x"))
                .getJsonArray("data")
                .getJsonObject(0)
                .getJsonArray("embedding"))
        .hasSize(Embeddings.DEFAULT_DIMENSIONS);
    assertThat(
            post("/v1/embeddings", new JsonObject().put("input", new JsonArray().add(1)))
                .statusCode())
        .isEqualTo(400);
    assertThat(
            post(
                    "/v1/embeddings",
                    new JsonObject().put("input", "x").put("encoding_format", "int8"))
                .statusCode())
        .isEqualTo(400);
  }

  private static JsonObject user(String content) {
    return new JsonObject().put("role", "user").put("content", content);
  }
}
