package io.sluice.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.avro.CompletionOutput;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.ResponseStatus;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The one wait for a stored result (idempotent repeats, {@code GET /v1/requests/{id}}): whichever
 * of result, timer and client close comes first is the only outcome, and it stops the other two.
 */
class StoredWaitTest {
  private final Vertx vertx = Vertx.vertx();
  private final ResultStore store = new ResultStore(10, 60_000, System::currentTimeMillis);
  private final List<String> outcomes = new CopyOnWriteArrayList<>();
  private final AtomicReference<Handler<Void>> closeHandler = new AtomicReference<>();

  @AfterEach
  void close() {
    vertx.close();
  }

  /** A response that only records its close handler, the one thing the wait uses. */
  @SuppressWarnings("unchecked")
  private HttpServerResponse response() {
    return (HttpServerResponse)
        Proxy.newProxyInstance(
            HttpServerResponse.class.getClassLoader(),
            new Class<?>[] {HttpServerResponse.class},
            (proxy, method, args) -> {
              if (method.getName().equals("closeHandler")) {
                closeHandler.set((Handler<Void>) args[0]);
                return proxy;
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }

  private void start(String id, long timeoutMs) {
    HttpServerResponse res = response();
    vertx.runOnContext(
        v ->
            StoredWait.start(
                vertx,
                store,
                res,
                id,
                timeoutMs,
                new StoredWait.Outcome() {
                  @Override
                  public void result(InferenceResponse r) {
                    outcomes.add("result " + r.getRequestId());
                  }

                  @Override
                  public void timedOut() {
                    outcomes.add("timeout");
                  }

                  @Override
                  public void clientGone() {
                    outcomes.add("gone");
                  }
                }));
    await().atMost(Duration.ofSeconds(10)).until(() -> closeHandler.get() != null);
  }

  private static InferenceResponse result(String id) {
    return InferenceResponse.newBuilder()
        .setRequestId(id)
        .setApp("a")
        .setStatus(ResponseStatus.OK)
        .setOutput(CompletionOutput.newBuilder().setText("done").build())
        .setFinalChunk(true)
        .build();
  }

  /** Lets a timer of {@code ms} fire if it is still armed, and every queued task run. */
  private void settle(long ms) throws InterruptedException {
    AtomicReference<Boolean> ran = new AtomicReference<>(false);
    vertx.setTimer(ms + 200, t -> ran.set(true));
    await().atMost(Duration.ofSeconds(10)).until(ran::get);
  }

  @Test
  void aResultEndsTheWaitAndDisarmsTimerAndClose() throws InterruptedException {
    start("r1", 300);
    store.accept(result("r1"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !outcomes.isEmpty());
    vertx.runOnContext(v -> closeHandler.get().handle(null));
    settle(300);
    assertThat(outcomes).containsExactly("result r1");
  }

  @Test
  void aResultAlreadyStoredIsAnsweredAtOnce() throws InterruptedException {
    store.accept(result("r2"));
    start("r2", 60_000);
    await().atMost(Duration.ofSeconds(10)).until(() -> !outcomes.isEmpty());
    assertThat(outcomes).containsExactly("result r2");
  }

  @Test
  void theTimerEndsTheWaitAndALaterResultIsNotDelivered() throws InterruptedException {
    start("r3", 100);
    await().atMost(Duration.ofSeconds(10)).until(() -> !outcomes.isEmpty());
    store.accept(result("r3"));
    vertx.runOnContext(v -> closeHandler.get().handle(null));
    settle(0);
    assertThat(outcomes).containsExactly("timeout");
  }

  @Test
  void aClientGoneEndsTheWaitAndDisarmsTheTimer() throws InterruptedException {
    start("r4", 300);
    vertx.runOnContext(v -> closeHandler.get().handle(null));
    await().atMost(Duration.ofSeconds(10)).until(() -> !outcomes.isEmpty());
    settle(300);
    store.accept(result("r4"));
    settle(0);
    assertThat(outcomes).containsExactly("gone");
  }
}
