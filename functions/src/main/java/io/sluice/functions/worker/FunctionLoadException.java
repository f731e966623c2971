package io.sluice.functions.worker;

/**
 * The functions could not be loaded: a {@code --functions} path that does not exist or is not a
 * jar, a path with no {@link io.sluice.functions.FunctionProvider}, a provider that fails to load,
 * or two functions of one name. The message names the paths and classes involved; a command line
 * prints it alone, as for a bad option.
 */
public final class FunctionLoadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public FunctionLoadException(String message) {
    super(message);
  }

  public FunctionLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
