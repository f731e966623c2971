package io.sluice.functions;

import io.sluice.schemas.ErrorCodes;

/**
 * A failure a function reports with an explicit stable code and retry decision. The runtime looks
 * for one along the cause chain of any failure; without one, it classifies by exception type
 * (timeouts and I/O errors are retriable, everything else is permanent).
 *
 * <pre>{@code
 * throw FunctionException.invalidInput("text is empty");           // permanent, no retry
 * throw FunctionException.retriable(ErrorCodes.RATE_LIMITED, "busy", cause); // retried
 * }</pre>
 */
public class FunctionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final boolean retriable;

  public FunctionException(String code, String message, boolean retriable, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.retriable = retriable;
  }

  /** The input is not acceptable: permanent, code {@code invalid_input}. */
  public static FunctionException invalidInput(String message) {
    return new FunctionException(ErrorCodes.INVALID_INPUT, message, false, null);
  }

  /** A transient failure worth retrying. */
  public static FunctionException retriable(String code, String message, Throwable cause) {
    return new FunctionException(code, message, true, cause);
  }

  /** A failure retrying will not fix. */
  public static FunctionException permanent(String code, String message, Throwable cause) {
    return new FunctionException(code, message, false, cause);
  }

  /** A stable code from {@link ErrorCodes}. */
  public String code() {
    return code;
  }

  /** Whether trying again may succeed. */
  public boolean retriable() {
    return retriable;
  }
}
