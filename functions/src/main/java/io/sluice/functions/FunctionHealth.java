package io.sluice.functions;

/**
 * The answer of {@link SluiceFunction#health()}: a worker whose function is down reports not ready.
 *
 * @param up whether the function can serve
 * @param detail a short human-readable explanation, shown on {@code /readyz}
 */
public record FunctionHealth(boolean up, String detail) {
  /** Healthy, nothing to say. */
  public static final FunctionHealth UP = new FunctionHealth(true, "ok");

  /** Not able to serve, for the given reason. */
  public static FunctionHealth down(String detail) {
    return new FunctionHealth(false, detail);
  }
}
