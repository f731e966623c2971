package io.sluice.functions.internal.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.functions.internal.openai.OpenAiTypes.ChatResult;
import io.sluice.functions.internal.openai.OpenAiTypes.CompletionsResult;
import io.sluice.functions.internal.openai.OpenAiTypes.Message;
import io.sluice.functions.internal.openai.OpenAiTypes.Sampling;
import io.sluice.simulator.CostModel;
import io.sluice.simulator.SimulatorConfig;
import io.sluice.simulator.SimulatorServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The simulator's OpenAI dialect, spoken to by the worker's own client (formerly {@code
 * SimulatorServerTest}): it lives here, not in the simulator module, because that module must not
 * depend on the functions module's client.
 */
@Timeout(30)
class OpenAiClientOnSimulatorTest {
  private SimulatorServer sim;
  private OpenAiClient client;

  @BeforeEach
  void start() {
    sim =
        SimulatorServer.start(
            SimulatorConfig.defaults(0).withCost(new CostModel(10, 2, 4, 2.0, 20, 1)));
    client = new OpenAiClient(OpenAiClientConfig.defaults(sim.baseUrl(), "sluice-sim", 8));
  }

  @AfterEach
  void stop() {
    client.close();
    sim.close();
  }

  @Test
  void answersABatchOfPromptsInOneCallWithDeterministicText() throws Exception {
    CompletionsResult r =
        client
            .completions(List.of("one two", "three"), new Sampling(3, null, null, List.of(), null))
            .get(10, TimeUnit.SECONDS);

    assertThat(r.choices())
        .extracting(c -> c.text())
        .containsExactly("one two one", "three three three");
    assertThat(r.choices().get(0).finishReason()).isEqualTo("length");
    assertThat(r.usage().promptTokens()).isEqualTo(3);
    assertThat(r.usage().completionTokens()).isEqualTo(6);
  }

  @Test
  void chatAndStreamedChatEchoTheLastUserMessage() throws Exception {
    List<Message> messages =
        List.of(new Message("system", "be brief", null), new Message("user", "hi there", null));
    Sampling four = new Sampling(4, null, null, List.of(), null);

    ChatResult plain = client.chat(messages, four).get(10, TimeUnit.SECONDS);
    List<String> deltas = new CopyOnWriteArrayList<>();
    ChatResult streamed = client.streamChat(messages, four, deltas::add).get(10, TimeUnit.SECONDS);

    assertThat(plain.content()).isEqualTo("hi there hi there");
    assertThat(streamed.content()).isEqualTo(plain.content());
    assertThat(deltas).containsExactly("hi", " there", " hi", " there");
    assertThat(streamed.usage().completionTokens()).isEqualTo(4);
  }

  @Test
  void theFrontEndIsSerialSoSeparateCallsCostMoreThanOneBatchedCall() throws Exception {
    Sampling one = new Sampling(1, null, null, List.of(), null);
    long t0 = System.nanoTime();
    List<CompletableFuture<CompletionsResult>> calls = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      calls.add(client.completions(List.of("p" + i), one));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    long separateMs = (System.nanoTime() - t0) / 1_000_000;

    // Four calls hold the serial front end for at least 4 x (20 + 1) ms.
    assertThat(separateMs).isGreaterThanOrEqualTo(84);
  }

  @Test
  void rejectsBadRequestsWithOpenAiErrorBodies() throws Exception {
    OkHttpClient http = new OkHttpClient();
    Request bad =
        new Request.Builder()
            .url(sim.baseUrl() + "/v1/completions")
            .post(RequestBody.create("{not json", okhttp3.MediaType.get("application/json")))
            .build();
    try (Response r = http.newCall(bad).execute()) {
      assertThat(r.code()).isEqualTo(400);
      assertThat(r.body().string()).contains("\"error\"").contains("invalid_request_error");
    }
    try {
      client
          .completions(List.of("x"), new Sampling(0, null, null, List.of(), null))
          .get(10, TimeUnit.SECONDS);
      throw new AssertionError("max_tokens 0 must be refused");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(BackendException.class);
      assertThat(((BackendException) e.getCause()).status()).isEqualTo(400);
    }
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  @Test
  void listsTheModelAndExportsVllmMetrics() throws Exception {
    client.completions(List.of("a"), Sampling.DEFAULT).get(10, TimeUnit.SECONDS);
    OkHttpClient http = new OkHttpClient();
    try (Response models =
            http.newCall(new Request.Builder().url(sim.baseUrl() + "/v1/models").build())
                .execute();
        Response metrics =
            http.newCall(new Request.Builder().url(sim.baseUrl() + "/metrics").build()).execute()) {
      assertThat(models.body().string()).contains("\"id\":\"sluice-sim\"");
      String text = metrics.body().string();
      assertThat(text).contains("vllm:num_requests_running{model_name=\"sluice-sim\"} 0");
      assertThat(text).contains("vllm:generation_tokens_total{model_name=\"sluice-sim\"} 16");
    }
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
