package io.sluice.loadtest.generator;

/** What the request's input is: chat messages, a completion prompt, or free-form JSON. */
public enum InputKind {
  CHAT,
  PROMPT,
  JSON;

  /** {@code chat} for apps whose name starts with "chat", JSON otherwise. */
  public static InputKind defaultFor(String app) {
    return app.startsWith("chat") ? CHAT : JSON;
  }
}
