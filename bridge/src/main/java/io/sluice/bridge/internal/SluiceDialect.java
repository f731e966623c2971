package io.sluice.bridge.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.avro.ChatOutput;
import io.sluice.avro.CompletionOutput;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.StepReport;
import io.sluice.avro.Timings;
import io.sluice.avro.Usage;
import java.util.Locale;
import java.util.Map;

/**
 * Sluice's own API, {@code POST /v1/apps/{app}/infer}: bodies by {@link RequestMapper}, results as
 * {@code {"requestId","app","status","output","usage","timings",...}}, a stream chunk is the same
 * object per chunk, no {@code [DONE]}, Sluice's error shape.
 */
final class SluiceDialect implements Dialect {
  static final SluiceDialect INSTANCE = new SluiceDialect();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private SluiceDialect() {}

  @Override
  public String metricTag() {
    return "infer";
  }

  @Override
  public String idName() {
    return "SLUICE";
  }

  @Override
  public ParsedCall parse(Map<String, String> pathParams, JsonNode body) {
    return RequestMapper.infer(pathParams.get("app"), body);
  }

  @Override
  public ApiError unknownApp(String app) {
    return ApiError.unknownApp(app, null);
  }

  @Override
  public String appParam() {
    return null;
  }

  @Override
  public boolean allowsAsync() {
    return true;
  }

  @Override
  public JsonNode result(InferenceResponse r, String app) {
    return body(r);
  }

  @Override
  public String chunk(InferenceResponse r, String requestId, String app) {
    return body(r).toString();
  }

  @Override
  public boolean endsStreamWithDone() {
    return false;
  }

  @Override
  public ErrorShape errors() {
    return ErrorShape.SLUICE;
  }

  /** Sluice's reply body: {@code {"requestId","app","status","output","usage",...}}. */
  static ObjectNode body(InferenceResponse r) {
    ObjectNode o = F.objectNode();
    o.put("requestId", r.getRequestId());
    o.put("app", r.getApp());
    o.put("status", r.getStatus().name());
    if (r.getDeployment() != null) {
      o.put("deployment", r.getDeployment());
    }
    if (r.getVariant() != null) {
      o.put("variant", r.getVariant());
    }
    Object out = r.getOutput();
    if (out instanceof JsonOutput j) {
      o.set("output", parseOrText(j.getJson()));
    } else if (out instanceof ChatOutput c) {
      ObjectNode co = o.putObject("output");
      ObjectNode m = co.putObject("message");
      m.put("role", c.getMessage().getRole().name().toLowerCase(Locale.ROOT));
      m.put("content", c.getMessage().getContent());
      co.put("finishReason", c.getFinishReason());
    } else if (out instanceof CompletionOutput c) {
      ObjectNode co = o.putObject("output");
      co.put("text", c.getText());
      co.put("finishReason", c.getFinishReason());
    } else {
      o.putNull("output");
    }
    if (r.getUsage() != null) {
      o.set("usage", usage(r.getUsage()));
    }
    Timings t = r.getTimings();
    if (t != null) {
      ObjectNode tn = o.putObject("timings");
      putIfSet(tn, "createdAtMs", t.getCreatedAtMs());
      putIfSet(tn, "routedAtMs", t.getRoutedAtMs());
      putIfSet(tn, "batchFlushedAtMs", t.getBatchFlushedAtMs());
      putIfSet(tn, "startedAtMs", t.getStartedAtMs());
      putIfSet(tn, "finishedAtMs", t.getFinishedAtMs());
    }
    if (r.getSteps() != null && !r.getSteps().isEmpty()) {
      // A pipeline's answer: what each step did and where its time went.
      var steps = o.putArray("steps");
      for (StepReport s : r.getSteps()) {
        ObjectNode sn = steps.addObject();
        sn.put("name", s.getName());
        sn.put("deployment", s.getDeployment());
        sn.put("outcome", s.getOutcome());
        putIfSet(sn, "sentAtMs", s.getSentAtMs());
        putIfSet(sn, "startedAtMs", s.getStartedAtMs());
        putIfSet(sn, "finishedAtMs", s.getFinishedAtMs());
        putIfSet(sn, "answeredAtMs", s.getAnsweredAtMs());
        if (s.getErrorCode() != null) {
          sn.put("errorCode", s.getErrorCode());
        }
      }
    }
    return o;
  }

  private static JsonNode usage(Usage u) {
    ObjectNode o = F.objectNode();
    o.put("promptTokens", u.getPromptTokens());
    o.put("completionTokens", u.getCompletionTokens());
    o.put("totalTokens", u.getTotalTokens());
    return o;
  }

  private static void putIfSet(ObjectNode o, String name, Long v) {
    if (v != null) {
      o.put(name, v);
    }
  }

  private static JsonNode parseOrText(String json) {
    try {
      return JsonBody.JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return F.textNode(json);
    }
  }
}
