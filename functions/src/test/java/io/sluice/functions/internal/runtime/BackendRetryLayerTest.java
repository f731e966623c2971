package io.sluice.functions.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.avro.CompletionInput;
import io.sluice.avro.DeadLetter;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.ResponseStatus;
import io.sluice.functions.FunctionContext;
import io.sluice.functions.internal.llm.LlmFunction;
import io.sluice.functions.worker.Backoff;
import io.sluice.schemas.ErrorCodes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The worker's one retry layer around the real {@code llm} function and a mock backend: how many
 * backend calls a failing item costs, and how soon a hung backend frees the slot.
 */
@Timeout(60)
class BackendRetryLayerTest {
  private static final Backoff WORKER_RETRY =
      new Backoff(3, Duration.ofMillis(10), Duration.ofMillis(50));

  private final ProcessorFixture fx = new ProcessorFixture();
  private MockWebServer server;
  private LlmFunction llm;

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
    server.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (llm != null) {
      llm.close();
    }
    server.shutdown();
  }

  private BatchProcessor processor(int backendTimeoutMs) {
    llm = new LlmFunction();
    llm.open(
        new FunctionContext(
            fx.deployment,
            server.url("/").toString(),
            "",
            "m1",
            1,
            Map.of("backend-timeout-ms", Integer.toString(backendTimeoutMs)),
            new SimpleMeterRegistry()));
    return fx.processor(llm, WORKER_RETRY, ReplyTargets.anything(), 1 << 20);
  }

  private InferenceRequest completion(String id, Instant deadline) {
    InferenceRequest r = fx.request(id, "x");
    r.setInput(CompletionInput.newBuilder().setPrompt("hello").build());
    r.setDeadlineMs(deadline);
    return r;
  }

  @Test
  void aFailingBackendReceivesExactlyMaxAttemptsRequestsAndItsBodyNeverReachesTheClient()
      throws Exception {
    for (int i = 0; i < 10; i++) {
      server.enqueue(
          new MockResponse()
              .setResponseCode(500)
              .setBody("{\"error\":\"Traceback: /opt/vllm/engine.py line 42 secret-internal\"}"));
    }
    BatchProcessor p = processor(5000);

    List<BatchProcessor.Out> out = p.process(fx.record(List.of(completion("r1", null))), c -> {});

    assertThat(server.getRequestCount()).isEqualTo(WORKER_RETRY.maxAttempts());
    InferenceResponse reply = fx.replies(out).get(0);
    assertThat(reply.getStatus()).isEqualTo(ResponseStatus.ERROR);
    assertThat(reply.getError().getCode()).isEqualTo(ErrorCodes.BACKEND_UNAVAILABLE);
    assertThat(reply.getError().getMessage())
        .startsWith("the model backend answered HTTP 500")
        .doesNotContain("secret-internal")
        .doesNotContain("Traceback");
    DeadLetter dl = fx.deadLetters(out).get(0);
    assertThat(dl.getReason()).contains("secret-internal"); // for operators only
    assertThat(dl.getAttempts()).isEqualTo(3);
  }

  @Test
  void aHungBackendFreesTheSlotAtTheDeadlineNotAfterTimeoutTimesAttempts() throws Exception {
    for (int i = 0; i < 10; i++) {
      server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
    }
    BatchProcessor p = processor(3000);
    long started = System.nanoTime();

    List<BatchProcessor.Out> out =
        p.process(fx.record(List.of(completion("r1", Instant.now().plusSeconds(2)))), c -> {});

    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    System.out.printf(
        "hung backend, 2 s deadline: slot freed after %d ms, %d call(s)%n",
        tookMs, server.getRequestCount());
    assertThat(tookMs).isBetween(1500L, 3000L);
    // The one call is recorded by the server's own thread, which a loaded machine may run late:
    // wait for it, then check no retry followed it.
    assertThat(server.takeRequest(10, TimeUnit.SECONDS)).isNotNull();
    assertThat(server.getRequestCount()).isEqualTo(1);
    InferenceResponse reply = fx.replies(out).get(0);
    assertThat(reply.getError().getCode()).isEqualTo(ErrorCodes.DEADLINE_EXCEEDED);
  }

  @Test
  void aRetryAfterBeyondTheDeadlineIsNotWaitedFor() throws Exception {
    server.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "4"));
    server.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "4"));
    BatchProcessor p = processor(5000);
    long started = System.nanoTime();

    List<BatchProcessor.Out> out =
        p.process(fx.record(List.of(completion("r1", Instant.now().plusSeconds(1)))), c -> {});

    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertThat(tookMs).isLessThan(1500L);
    assertThat(server.getRequestCount()).isEqualTo(1);
    InferenceResponse reply = fx.replies(out).get(0);
    assertThat(reply.getError().getCode()).isEqualTo(ErrorCodes.RATE_LIMITED);
    assertThat(reply.getError().getRetriable()).isTrue();
  }

  @Test
  void aRetryAfterWithinTheDeadlineIsHonoured() throws Exception {
    server.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "1"));
    server.enqueue(
        new MockResponse()
            .setHeader("Content-Type", "application/json")
            .setBody("{\"choices\":[{\"index\":0,\"text\":\"ok\"}]}"));
    BatchProcessor p = processor(5000);
    long started = System.nanoTime();

    List<BatchProcessor.Out> out =
        p.process(fx.record(List.of(completion("r1", Instant.now().plusSeconds(20)))), c -> {});

    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertThat(tookMs).isGreaterThanOrEqualTo(1000L);
    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(fx.replies(out).get(0).getStatus()).isEqualTo(ResponseStatus.OK);
  }
}
