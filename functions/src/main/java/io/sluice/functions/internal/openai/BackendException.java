package io.sluice.functions.internal.openai;

import io.sluice.functions.FunctionException;
import io.sluice.schemas.ErrorCodes;
import java.io.IOException;

/**
 * A failed call to the model backend, already classified: I/O errors, timeouts, 429 and 5xx are
 * retriable; other 4xx and malformed bodies are permanent.
 */
public final class BackendException extends FunctionException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final long retryAfterMs;

  BackendException(
      String code, String message, boolean retriable, int status, long retryAfterMs, Throwable c) {
    super(code, message, retriable, c);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }

  /** Maps an HTTP error status to a code and a retry decision. */
  static BackendException forStatus(int status, String body, long retryAfterMs) {
    String message = "backend answered HTTP " + status + ": " + abbreviate(body);
    if (status == 429) {
      return new BackendException(
          ErrorCodes.RATE_LIMITED, message, true, status, retryAfterMs, null);
    }
    if (status >= 500) {
      return new BackendException(
          ErrorCodes.BACKEND_UNAVAILABLE, message, true, status, retryAfterMs, null);
    }
    if (status == 400 || status == 422) {
      return new BackendException(ErrorCodes.INVALID_INPUT, message, false, status, -1, null);
    }
    return new BackendException(ErrorCodes.BACKEND_ERROR, message, false, status, -1, null);
  }

  /** A transport failure (connect, reset, timeout): retriable. */
  static BackendException io(IOException e) {
    return new BackendException(
        ErrorCodes.BACKEND_UNAVAILABLE, "backend unreachable: " + e, true, -1, -1, e);
  }

  /** A 2xx answer that is not what the API promises: permanent. */
  static BackendException malformed(String detail, Throwable cause) {
    return new BackendException(
        ErrorCodes.BACKEND_ERROR, "malformed backend response: " + detail, false, -1, -1, cause);
  }

  /** The HTTP status, or -1 for transport and parsing failures. */
  public int status() {
    return status;
  }

  /** The server's Retry-After in ms, or -1. */
  public long retryAfterMs() {
    return retryAfterMs;
  }

  private static String abbreviate(String s) {
    if (s == null) {
      return "";
    }
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
