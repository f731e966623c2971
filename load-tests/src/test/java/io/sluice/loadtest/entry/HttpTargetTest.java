package io.sluice.loadtest.entry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sluice.avro.ChatInput;
import io.sluice.avro.JsonInput;
import io.sluice.avro.Priority;
import io.sluice.bridge.internal.ParsedCall;
import io.sluice.bridge.internal.RequestMapper;
import io.sluice.loadtest.generator.InputKind;
import io.sluice.loadtest.generator.LoadRequest;
import io.sluice.loadtest.generator.Reply;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpTargetTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private HttpServer server;
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private final AtomicInteger polls = new AtomicInteger();
  private String base;

  private static LoadRequest request(InputKind kind, Priority p, String key) {
    return new LoadRequest(7, "lt-1-7", "chat", key, p, kind, "hello there", 0, false);
  }

  @BeforeEach
  void startFakeBridge() throws IOException {
    server =
        HttpServer.create(
            new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 0);
    server.createContext(
        "/v1/apps/chat/infer",
        ex -> {
          String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          seen.add(ex.getRequestMethod() + " " + body);
          if ("respond-async".equals(ex.getRequestHeaders().getFirst("Prefer"))) {
            respond(ex, 202, "{\"requestId\":\"r-1\",\"status\":\"PENDING\"}");
          } else {
            respond(
                ex,
                200,
                "{\"requestId\":\"x\",\"status\":\"OK\",\"variant\":\"b\","
                    + "\"deployment\":\"chat-b\",\"output\":null}");
          }
        });
    server.createContext(
        "/v1/apps/down/infer",
        ex -> {
          ex.getRequestBody().readAllBytes();
          respond(ex, 503, "{\"error\":{\"code\":\"backend_unavailable\",\"message\":\"m\"}}");
        });
    server.createContext(
        "/v1/requests/r-1",
        ex -> {
          seen.add("GET wait=" + ex.getRequestHeaders().getFirst("Prefer"));
          if (polls.incrementAndGet() < 3) {
            respond(ex, 202, "{\"requestId\":\"r-1\",\"status\":\"PENDING\"}");
          } else {
            respond(ex, 200, "{\"requestId\":\"r-1\",\"status\":\"OK\",\"variant\":\"a\"}");
          }
        });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static void respond(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
    ex.close();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void syncCallReadsStatusAndVariantFromTheReply() throws Exception {
    try (HttpTarget t = new HttpTarget(base, "chat", null, Duration.ofSeconds(5), false, null)) {
      Reply r = t.send(request(InputKind.CHAT, Priority.BULK, "user-3")).get(10, TimeUnit.SECONDS);

      assertThat(r).isEqualTo(Reply.ok("b", "chat-b"));
      JsonNode body = JSON.readTree(seen.get(0).substring("POST ".length()));
      assertThat(body.get("messages").get(0).get("content").asText()).isEqualTo("hello there");
      assertThat(body.get("priority").asText()).isEqualTo("bulk");
      assertThat(body.get("attributes").get("user").asText()).isEqualTo("user-3");
    }
  }

  @Test
  void asyncSubmissionLongPollsUntilTheResultIsThere() throws Exception {
    try (HttpTarget t = new HttpTarget(base, "chat", null, Duration.ofSeconds(5), true, null)) {
      Reply r =
          t.send(request(InputKind.CHAT, Priority.INTERACTIVE, null)).get(10, TimeUnit.SECONDS);

      assertThat(r).isEqualTo(Reply.ok("a", null));
      assertThat(polls.get()).isEqualTo(3);
      assertThat(seen).contains("GET wait=wait=10");
    }
  }

  @Test
  void httpErrorsBecomeErrorRepliesWithTheirCode() throws Exception {
    try (HttpTarget t = new HttpTarget(base, "down", null, Duration.ofSeconds(5), false, null)) {
      Reply r =
          t.send(request(InputKind.JSON, Priority.INTERACTIVE, null)).get(10, TimeUnit.SECONDS);

      assertThat(r.ok()).isFalse();
      assertThat(r.errorCode()).isEqualTo("http_503:backend_unavailable");
    }
  }

  @Test
  void theBodyIsAcceptedByTheBridgesOwnRequestMapper() {
    // Contract check against the bridge's parser, so a change on either side shows up here.
    ParsedCall chat =
        RequestMapper.infer(
            "chat",
            RequestMapper.parseObject(
                Inputs.sluiceInferBody(request(InputKind.CHAT, Priority.BULK, "u"), 5000)));
    assertThat(chat.input()).isInstanceOf(ChatInput.class);
    assertThat(chat.priority()).isEqualTo(Priority.BULK);
    assertThat(chat.attributes()).containsEntry("user", "u");

    ParsedCall json =
        RequestMapper.infer(
            "sentiment",
            RequestMapper.parseObject(
                Inputs.sluiceInferBody(request(InputKind.JSON, Priority.INTERACTIVE, null), 5000)));
    assertThat(json.input()).isInstanceOf(JsonInput.class);
    assertThat(((JsonInput) json.input()).getJson()).contains("hello there");

    RequestMapper.infer(
        "chat",
        RequestMapper.parseObject(
            Inputs.sluiceInferBody(request(InputKind.PROMPT, Priority.INTERACTIVE, null), 5000)));
  }
}
