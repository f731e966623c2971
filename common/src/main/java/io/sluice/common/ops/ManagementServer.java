package io.sluice.common.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operational HTTP endpoints of a router or worker process: {@code /healthz} (liveness), {@code
 * /readyz} (readiness) and {@code /metrics} (Prometheus text format). Bodies of the health
 * endpoints are JSON ({@code {"status":"UP", ...details}}); a DOWN check answers 503.
 */
public final class ManagementServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ManagementServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor;

  private ManagementServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts the endpoints.
   *
   * @param port 0 picks a free port
   */
  public static ManagementServer start(
      String host,
      int port,
      PrometheusMeterRegistry registry,
      Health.Check liveness,
      Health.Check readiness)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "sluice-management");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/healthz", ex -> health(ex, liveness));
    server.createContext("/readyz", ex -> health(ex, readiness));
    server.createContext(
        "/metrics",
        ex ->
            respond(
                ex,
                200,
                "text/plain; version=0.0.4; charset=utf-8",
                registry.scrape().getBytes(StandardCharsets.UTF_8)));
    server.createContext(
        "/",
        ex ->
            respond(
                ex,
                404,
                "application/json",
                "{\"error\":\"not_found\"}".getBytes(StandardCharsets.UTF_8)));
    server.start();
    ManagementServer m = new ManagementServer(server, executor);
    log.info("management endpoints on http://{}:{}/ (healthz, readyz, metrics)", host, m.port());
    return m;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void health(HttpExchange ex, Health.Check check) throws IOException {
    Health h;
    try {
      h = check.check();
    } catch (RuntimeException e) {
      h = Health.down(Map.of("error", e.toString()));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", h.up() ? "UP" : "DOWN");
    body.putAll(h.details());
    respond(ex, h.up() ? 200 : 503, "application/json", JSON.writeValueAsBytes(body));
  }

  private static void respond(HttpExchange ex, int status, String type, byte[] body)
      throws IOException {
    try (ex) {
      ex.getResponseHeaders().set("Content-Type", type);
      if ("HEAD".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(status, -1);
        return;
      }
      ex.sendResponseHeaders(status, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
