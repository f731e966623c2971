package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.avro.InferenceResponse;
import java.util.Map;

/**
 * The sync routes' dialects as the batch API ({@code io.sluice.bridge.batch}) needs them: a line's
 * body is parsed by exactly the dialect its endpoint's route uses, and its answer is rendered as
 * that route would answer it (body and HTTP status). Nothing here decides a rule of its own.
 */
public final class BatchCalls {
  private BatchCalls() {}

  /** The dialect of a batch endpoint's kind: {@code CHAT}, {@code COMPLETIONS} or {@code INFER}. */
  private static Dialect dialect(String kind) {
    return switch (kind) {
      case "CHAT" -> OpenAiDialect.CHAT;
      case "COMPLETIONS" -> OpenAiDialect.COMPLETIONS;
      case "INFER" -> SluiceDialect.INSTANCE;
      default -> throw new IllegalArgumentException("no batch endpoint kind " + kind);
    };
  }

  /**
   * A line's {@code body} parsed as the route of endpoint {@code kind} parses its bodies; throws
   * the route's {@link ApiError} 400.
   *
   * @param kind {@code CHAT} ({@code /v1/chat/completions}), {@code COMPLETIONS} ({@code
   *     /v1/completions}) or {@code INFER} ({@code /v1/apps/{app}/infer}, then {@code app} is the
   *     path's app)
   */
  public static ParsedCall parse(String kind, String app, JsonNode body) {
    Map<String, String> path = app == null ? Map.of() : Map.of("app", app);
    return dialect(kind).parse(path, body);
  }

  /** The HTTP status the sync route would answer for this reply. */
  public static int status(InferenceResponse r) {
    ApiError e = ReplyErrors.errorOf(r);
    return e == null ? 200 : e.status();
  }

  /** The body the sync route of endpoint {@code kind} would answer for this reply. */
  public static JsonNode body(String kind, InferenceResponse r, String app) {
    Dialect d = dialect(kind);
    ApiError e = ReplyErrors.errorOf(r);
    return e == null ? d.result(r, app) : d.errors().body(e);
  }

  /** The error body of endpoint {@code kind}'s route for an {@link ApiError}. */
  public static JsonNode errorBody(String kind, ApiError e) {
    return dialect(kind).errors().body(e);
  }
}
