package io.sluice.loadtest.bridge;

import com.sun.net.httpserver.HttpServer;
import io.sluice.avro.ErrorInfo;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonInput;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.ResponseStatus;
import io.sluice.avro.Timings;
import io.sluice.schemas.Replies;
import io.sluice.schemas.Topics;
import io.sluice.testkit.FakeWorker;
import io.sluice.testkit.Records;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * The minimal path behind the bridge for the overhead benchmark: a tiny HTTP echo backend (the
 * direct baseline), and an echo consumer (testkit's {@link FakeWorker}) that reads {@code
 * sluice.requests.<app>}, answers each request (from Kafka alone, or by calling that backend over
 * HTTP) and writes the reply to the request's reply topic and partition. No router, no batching:
 * what remains is the bridge plus two Kafka hops.
 */
final class EchoPath implements AutoCloseable {
  private final HttpServer backend;
  private final ExecutorService backendPool = Executors.newFixedThreadPool(8, daemon("backend"));
  private final ExecutorService callers = Executors.newFixedThreadPool(16, daemon("echo-call"));
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final FakeWorker worker;

  /**
   * @param viaBackend true: the echo consumer calls the HTTP backend for each request (the path a
   *     worker with an HTTP backend takes); false: it answers from Kafka alone, so that what is
   *     measured is the bridge and its two Kafka hops, not the harness's HTTP client
   */
  EchoPath(String bootstrap, String registryUrl, String app, boolean viaBackend)
      throws IOException {
    // The JDK server leaves Nagle on by default; with delayed ACKs that adds ~40 ms to calls
    // whose request arrives in two writes. Both measured paths use this backend.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    // 127.0.0.1 by its bytes (no name lookup): the backend and backendUri() name one address.
    InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    backend = HttpServer.create(new InetSocketAddress(loopback, 0), 512);
    backend.setExecutor(backendPool);
    backend.createContext(
        "/echo",
        ex -> {
          byte[] body;
          try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
          }
          ex.getResponseHeaders().set("Content-Type", "application/json");
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    backend.start();

    Properties c = FakeWorker.consumerProps(bootstrap, "bench-echo-" + System.nanoTime(), "latest");
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    worker =
        FakeWorker.start(
            c,
            FakeWorker.producerProps(bootstrap, 0),
            registryUrl,
            List.of(Topics.requests(app)),
            viaBackend
                ? rec -> CompletableFuture.supplyAsync(() -> serve(rec.value()), callers)
                : rec -> CompletableFuture.completedFuture(echo(rec.value())));
  }

  URI backendUri() {
    return URI.create("http://127.0.0.1:" + backend.getAddress().getPort() + "/echo");
  }

  /** True once the consumer has its partitions (so no request is missed). */
  boolean assigned() {
    return worker.assigned();
  }

  /** The request's input as the answer, without leaving the consumer's thread. */
  private static List<InferenceResponse> echo(InferenceRequest req) {
    long startedAt = System.currentTimeMillis();
    InferenceResponse.Builder r = Records.ok(req);
    r.setOutput(JsonOutput.newBuilder().setJson(((JsonInput) req.getInput()).getJson()).build());
    Timings t = Replies.timings(req, System.currentTimeMillis());
    t.setStartedAtMs(startedAt);
    r.setTimings(t);
    return List.of(r.build());
  }

  private List<InferenceResponse> serve(InferenceRequest req) {
    long startedAt = System.currentTimeMillis();
    String input = ((JsonInput) req.getInput()).getJson();
    InferenceResponse.Builder r = Records.ok(req);
    try {
      HttpResponse<String> out =
          http.send(
              HttpRequest.newBuilder(backendUri())
                  .POST(HttpRequest.BodyPublishers.ofString(input))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      r.setOutput(JsonOutput.newBuilder().setJson(out.body()).build());
      Timings t = Replies.timings(req, System.currentTimeMillis());
      t.setStartedAtMs(startedAt);
      r.setTimings(t);
    } catch (IOException e) {
      r.setStatus(ResponseStatus.ERROR);
      r.setError(
          ErrorInfo.newBuilder().setCode("backend_unavailable").setMessage(e.toString()).build());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
    return List.of(r.build());
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    worker.close();
    try {
      callers.shutdownNow();
      callers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    backend.stop(0);
    backendPool.shutdownNow();
  }
}
