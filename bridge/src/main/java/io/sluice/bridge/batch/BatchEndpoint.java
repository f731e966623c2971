package io.sluice.bridge.batch;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The endpoint a batch's lines call: OpenAI's {@code /v1/chat/completions} or {@code
 * /v1/completions}, or Sluice's own {@code /v1/apps/{app}/infer}.
 *
 * <pre>{@code
 * BatchEndpoint e = BatchEndpoint.parse("/v1/apps/sentiment/infer"); // INFER, app "sentiment"
 * }</pre>
 *
 * @param path the endpoint as written ({@code url} of a line, {@code endpoint} of a batch)
 * @param kind which route's body rules and answers apply
 * @param app the app named by the path ({@link Kind#INFER}), else null (the body's {@code model}
 *     names it)
 */
public record BatchEndpoint(String path, Kind kind, String app) {
  /** The routes a batch may call. */
  public enum Kind {
    /** {@code /v1/chat/completions}. */
    CHAT,
    /** {@code /v1/completions}. */
    COMPLETIONS,
    /** {@code /v1/apps/{app}/infer}. */
    INFER
  }

  public static final String CHAT_PATH = "/v1/chat/completions";
  public static final String COMPLETIONS_PATH = "/v1/completions";

  /** App names as topic names allow them ({@code Topics.checkName}). */
  private static final Pattern INFER = Pattern.compile("/v1/apps/([a-zA-Z0-9._-]{1,200})/infer");

  /** The endpoint of {@code path}, or null if it is none of the three. */
  public static BatchEndpoint parse(String path) {
    if (path == null) {
      return null;
    }
    if (path.equals(CHAT_PATH)) {
      return new BatchEndpoint(path, Kind.CHAT, null);
    }
    if (path.equals(COMPLETIONS_PATH)) {
      return new BatchEndpoint(path, Kind.COMPLETIONS, null);
    }
    Matcher m = INFER.matcher(path);
    return m.matches() ? new BatchEndpoint(path, Kind.INFER, m.group(1)) : null;
  }

  /** The param naming the app in a line's errors: {@code body.model}, or {@code url}. */
  public String appParam() {
    return kind == Kind.INFER ? "url" : "body.model";
  }
}
