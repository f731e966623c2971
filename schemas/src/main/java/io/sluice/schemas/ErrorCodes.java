package io.sluice.schemas;

/**
 * The stable, lower-case error codes carried in {@code ErrorInfo.code}, {@code
 * DeadLetter.errorCode} and the {@code sluice-error-code} header. Clients may switch on them; they
 * never change meaning.
 */
public final class ErrorCodes {
  /** No route config exists for the app. */
  public static final String UNKNOWN_APP = "unknown_app";

  /** The request's deadline passed before it could be served. */
  public static final String DEADLINE_EXCEEDED = "deadline_exceeded";

  /** The input was understood but is not acceptable to the function. */
  public static final String INVALID_INPUT = "invalid_input";

  /** The record could not be decoded (bad magic byte, unknown schema id, truncated Avro). */
  public static final String UNDECODABLE = "undecodable";

  /**
   * The request is larger than Sluice can carry: its encoding alone does not fit a micro-batch
   * below {@code sluice.kafka.max-message-bytes}. Not retriable.
   */
  public static final String PAYLOAD_TOO_LARGE = "payload_too_large";

  /** The function threw. */
  public static final String FUNCTION_ERROR = "function_error";

  /** The model backend could not be reached or timed out, after retries. */
  public static final String BACKEND_UNAVAILABLE = "backend_unavailable";

  /** The model backend rejected the call. */
  public static final String BACKEND_ERROR = "backend_error";

  /** The backend or Sluice is overloaded. */
  public static final String RATE_LIMITED = "rate_limited";

  /** The request was cancelled (for example on shutdown). */
  public static final String CANCELLED = "cancelled";

  /** The function's output does not fit in one record of {@code sluice.kafka.max-message-bytes}. */
  public static final String OUTPUT_TOO_LARGE = "output_too_large";

  /**
   * A reply could not be delivered (its reply topic does not exist, its reply partition is out of
   * range, or the record was refused); the reply is in the dead letter instead.
   */
  public static final String UNDELIVERABLE = "undeliverable";

  /** Anything else. */
  public static final String INTERNAL = "internal";

  private ErrorCodes() {}
}
