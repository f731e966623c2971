package io.sluice.functions.internal.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.functions.internal.openai.OpenAiTypes.ChatResult;
import io.sluice.functions.internal.openai.OpenAiTypes.CompletionsResult;
import io.sluice.functions.internal.openai.OpenAiTypes.Message;
import io.sluice.functions.internal.openai.OpenAiTypes.Sampling;
import io.sluice.schemas.ErrorCodes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class OpenAiClientTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private MockWebServer server;
  private OpenAiClient client;

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
    server.start();
    client = client();
  }

  private OpenAiClient client() {
    return new OpenAiClient(
        OpenAiClientConfig.defaults(server.url("/").toString(), "m1", 4)
            .withApiKey("secret")
            .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(5)));
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    server.shutdown();
  }

  @Test
  void sendsTheWholeBatchOfPromptsInOneCallAndOrdersChoicesByIndex() throws Exception {
    server.enqueue(
        json(
            200,
            """
            {"choices":[{"index":1,"text":"B","finish_reason":"length"},
                        {"index":0,"text":"A","finish_reason":"stop"}],
             "usage":{"prompt_tokens":6,"completion_tokens":3,"total_tokens":9}}"""));

    CompletionsResult r =
        client
            .completions(List.of("p0", "p1"), new Sampling(7, 0.5, null, List.of("\n"), 42L))
            .get(5, TimeUnit.SECONDS);

    assertThat(r.choices()).extracting(OpenAiTypes.Choice::text).containsExactly("A", "B");
    assertThat(r.choices().get(1).finishReason()).isEqualTo("length");
    assertThat(r.usage().promptTokens()).isEqualTo(6);
    assertThat(r.usage().totalTokens()).isEqualTo(9);
    RecordedRequest req = server.takeRequest();
    assertThat(req.getPath()).isEqualTo("/v1/completions");
    assertThat(req.getHeader("Authorization")).isEqualTo("Bearer secret");
    JsonNode body = JSON.readTree(req.getBody().readUtf8());
    assertThat(body.get("prompt")).hasSize(2);
    assertThat(body.get("prompt").get(1).asText()).isEqualTo("p1");
    assertThat(body.get("model").asText()).isEqualTo("m1");
    assertThat(body.get("max_tokens").asInt()).isEqualTo(7);
    assertThat(body.get("seed").asLong()).isEqualTo(42L);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void chatCallsReturnContentAndUsage() throws Exception {
    server.enqueue(
        json(
            200,
            """
            {"choices":[{"index":0,"message":{"role":"assistant","content":"hi there"},
              "finish_reason":"stop"}],"usage":{"prompt_tokens":4,"completion_tokens":2}}"""));

    ChatResult r =
        client
            .chat(List.of(new Message("user", "hello", null)), Sampling.DEFAULT)
            .get(5, TimeUnit.SECONDS);

    assertThat(r.content()).isEqualTo("hi there");
    assertThat(r.finishReason()).isEqualTo("stop");
    assertThat(r.usage().completionTokens()).isEqualTo(2);
    assertThat(server.takeRequest().getPath()).isEqualTo("/v1/chat/completions");
  }

  @Test
  void streamsDeltasFromServerSentEvents() throws Exception {
    String sse =
        """
        data: {"choices":[{"index":0,"delta":{"role":"assistant"}}]}

        data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}

        data: {"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}

        data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}

        data: [DONE]

        """;
    server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(sse));
    List<String> deltas = new CopyOnWriteArrayList<>();

    ChatResult r =
        client
            .streamChat(List.of(new Message("user", "hi", null)), Sampling.DEFAULT, deltas::add)
            .get(5, TimeUnit.SECONDS);

    assertThat(deltas).containsExactly("Hel", "lo");
    assertThat(r.content()).isEqualTo("Hello");
    assertThat(r.finishReason()).isEqualTo("stop");
    assertThat(r.usage().totalTokens()).isEqualTo(5);
    JsonNode body = JSON.readTree(server.takeRequest().getBody().readUtf8());
    assertThat(body.get("stream").asBoolean()).isTrue();
  }

  @Test
  void a429IsOneAttemptReportedRetriableWithItsRetryAfter() {
    server.enqueue(json(429, "{\"error\":{\"message\":\"busy\"}}").setHeader("Retry-After", "2"));
    server.enqueue(json(200, "{\"choices\":[{\"index\":0,\"text\":\"ok\"}]}"));

    BackendException e = failure(client.completions(List.of("p"), Sampling.DEFAULT));

    assertThat(e.code()).isEqualTo(ErrorCodes.RATE_LIMITED);
    assertThat(e.retriable()).isTrue();
    assertThat(e.retryAfterMs()).isEqualTo(2000);
    assertThat(server.getRequestCount()).isEqualTo(1); // the worker retries, not the client
  }

  @Test
  void a500IsOneAttemptReportedRetriableWithAGenericMessage() {
    server.enqueue(json(500, "{\"error\":\"boom at /opt/vllm/engine.py\"}"));
    server.enqueue(json(200, "{\"choices\":[{\"index\":0,\"text\":\"ok\"}]}"));

    BackendException e = failure(client.completions(List.of("p"), Sampling.DEFAULT));

    assertThat(e.code()).isEqualTo(ErrorCodes.BACKEND_UNAVAILABLE);
    assertThat(e.retriable()).isTrue();
    assertThat(e.status()).isEqualTo(500);
    assertThat(e.getMessage()).isEqualTo("the model backend answered HTTP 500");
    assertThat(e.detail()).contains("/opt/vllm/engine.py");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aCallWhoseDeadlinePassedIsNotMade() {
    BackendException e =
        failure(
            client.completions(
                List.of("p"), Sampling.DEFAULT, java.time.Instant.now().minusMillis(1)));
    assertThat(e.code()).isEqualTo(ErrorCodes.DEADLINE_EXCEEDED);
    assertThat(e.retriable()).isFalse();
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void aHungCallIsCutAtItsDeadlineNotAtTheCallTimeout() {
    server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
    client.close();
    client =
        new OpenAiClient(
            OpenAiClientConfig.defaults(server.url("/").toString(), "m1", 4)
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(10)));
    long started = System.nanoTime();

    BackendException e =
        failure(
            client.chat(
                List.of(new Message("user", "x", null)),
                Sampling.DEFAULT,
                java.time.Instant.now().plusMillis(700)));

    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertThat(e.code()).isEqualTo(ErrorCodes.DEADLINE_EXCEEDED);
    assertThat(tookMs).isBetween(500L, 3000L);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void a400IsPermanentAndNotRetried() {
    server.enqueue(json(400, "{\"error\":{\"message\":\"max_tokens too large\"}}"));
    BackendException e =
        failure(client.chat(List.of(new Message("user", "x", null)), Sampling.DEFAULT));
    assertThat(e.code()).isEqualTo(ErrorCodes.INVALID_INPUT);
    assertThat(e.retriable()).isFalse();
    assertThat(e.getMessage()).isEqualTo("the model backend answered HTTP 400");
    assertThat(e.detail()).contains("max_tokens too large");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aTimeoutIsRetriableBackendUnavailable() {
    server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));

    BackendException e = failure(client.completions(List.of("p"), Sampling.DEFAULT));

    assertThat(e.code()).isEqualTo(ErrorCodes.BACKEND_UNAVAILABLE);
    assertThat(e.retriable()).isTrue();
    assertThat(e.getCause()).isInstanceOf(java.io.InterruptedIOException.class);
  }

  @Test
  void malformedJsonIsPermanentAndNotRetried() {
    server.enqueue(json(200, "{\"choices\": [ not json"));
    BackendException e = failure(client.completions(List.of("p"), Sampling.DEFAULT));
    assertThat(e.code()).isEqualTo(ErrorCodes.BACKEND_ERROR);
    assertThat(e.retriable()).isFalse();
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aWrongNumberOfChoicesIsMalformed() {
    server.enqueue(json(200, "{\"choices\":[{\"index\":0,\"text\":\"only one\"}]}"));
    BackendException e = failure(client.completions(List.of("a", "b"), Sampling.DEFAULT));
    assertThat(e.retriable()).isFalse();
    assertThat(e.detail()).contains("expected 2 choices");
  }

  private static MockResponse json(int status, String body) {
    return new MockResponse()
        .setResponseCode(status)
        .setHeader("Content-Type", "application/json")
        .setBody(body);
  }

  private static BackendException failure(CompletableFuture<?> future) {
    assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(BackendException.class);
    try {
      future.get(1, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure");
    } catch (ExecutionException e) {
      return (BackendException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
