package io.sluice.functions;

/**
 * Makes a {@link SluiceFunction} selectable by name from deployment config ({@code
 * sluice.worker.function}). Providers are found with {@link java.util.ServiceLoader}: list the
 * class in {@code META-INF/services/io.sluice.functions.FunctionProvider}.
 *
 * <pre>{@code
 * public final class SentimentProvider implements FunctionProvider {
 *   public String name() { return "sentiment"; }
 *   public SluiceFunction create() { return new SentimentFunction(); }
 * }
 * }</pre>
 */
public interface FunctionProvider {
  /** The name deployments use to select the function: lower-case, stable. */
  String name();

  /** A new, unopened instance; the worker calls {@link SluiceFunction#open} on it. */
  SluiceFunction create();
}
