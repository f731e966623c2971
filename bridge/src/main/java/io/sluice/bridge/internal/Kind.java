package io.sluice.bridge.internal;

/** Which API a call came through; decides body parsing, reply rendering and error shape. */
public enum Kind {
  SLUICE("infer"),
  CHAT("chat"),
  COMPLETION("completions");

  private final String metricTag;

  Kind(String metricTag) {
    this.metricTag = metricTag;
  }

  public String metricTag() {
    return metricTag;
  }

  public boolean openAi() {
    return this != SLUICE;
  }
}
