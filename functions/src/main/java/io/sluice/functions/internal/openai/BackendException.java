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
  private final String detail;

  BackendException(
      String code,
      String message,
      boolean retriable,
      int status,
      long retryAfterMs,
      String detail,
      Throwable c) {
    super(code, message, retriable, c);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
    this.detail = detail;
  }

  /**
   * Maps an HTTP error status to a code and a retry decision. The message (which reaches the
   * client) only names the status; the backend's body may tell its internals (paths, versions,
   * stack traces) and is kept, truncated, in {@link #detail} for the log and the dead letter.
   */
  static BackendException forStatus(int status, String body, long retryAfterMs) {
    String message = "the model backend answered HTTP " + status;
    String detail = abbreviate(body);
    if (status == 429) {
      return new BackendException(
          ErrorCodes.RATE_LIMITED, message, true, status, retryAfterMs, detail, null);
    }
    if (status >= 500) {
      return new BackendException(
          ErrorCodes.BACKEND_UNAVAILABLE, message, true, status, retryAfterMs, detail, null);
    }
    if (status == 400 || status == 422) {
      return new BackendException(
          ErrorCodes.INVALID_INPUT, message, false, status, -1, detail, null);
    }
    return new BackendException(ErrorCodes.BACKEND_ERROR, message, false, status, -1, detail, null);
  }

  /** A transport failure (connect, reset, timeout): retriable. The cause names host and port. */
  static BackendException io(IOException e) {
    return new BackendException(
        ErrorCodes.BACKEND_UNAVAILABLE,
        e instanceof java.io.InterruptedIOException
            ? "the model backend did not answer in time"
            : "the model backend could not be reached",
        true,
        -1,
        -1,
        e.toString(),
        e);
  }

  /** The request's deadline passed during the call, which was cancelled: permanent. */
  static BackendException deadline(IOException e) {
    return new BackendException(
        ErrorCodes.DEADLINE_EXCEEDED,
        "the deadline passed during the model backend call",
        false,
        -1,
        -1,
        e.toString(),
        e);
  }

  /** A stream that failed after deltas were sent on: permanent, as a retry would repeat them. */
  static BackendException brokenStream(BackendException e) {
    return new BackendException(
        e.code(),
        "the model backend's stream broke off after the first delta",
        false,
        e.status,
        -1,
        e.detail,
        e);
  }

  /** A 2xx answer that is not what the API promises: permanent. */
  static BackendException malformed(String detail, Throwable cause) {
    return new BackendException(
        ErrorCodes.BACKEND_ERROR,
        "the model backend's answer was malformed",
        false,
        -1,
        -1,
        detail,
        cause);
  }

  /**
   * What the backend said (its error body, truncated) or the transport error; never for clients.
   */
  public String detail() {
    return detail;
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
