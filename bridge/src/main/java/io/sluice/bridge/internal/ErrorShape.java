package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.JsonNode;

/** The two error bodies the bridge speaks: Sluice's own and OpenAI's. */
enum ErrorShape {
  /** {@code {"error": {"code", "message", "param"?, "requestId"?}}}. */
  SLUICE,
  /** {@code {"error": {"message", "type", "param", "code"}}} with OpenAI's types. */
  OPENAI;

  JsonNode body(ApiError e) {
    return this == OPENAI ? e.toOpenAiJson() : e.toSluiceJson();
  }

  /**
   * The shape of an error answered before a route was matched (404, 405, a body over the limit):
   * OpenAI's under the paths OpenAI's SDKs call, else Sluice's.
   */
  static ErrorShape ofPath(String p) {
    return p.startsWith("/v1/chat")
            || p.startsWith("/v1/completions")
            || p.startsWith("/v1/models")
            || p.startsWith("/v1/files")
            || p.startsWith("/v1/batches")
            || p.startsWith("/v1/embeddings")
        ? OPENAI
        : SLUICE;
  }
}
