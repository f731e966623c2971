package io.sluice.bridge.internal;

import io.sluice.common.config.ConnectionKeys;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * What a failed Kafka write means for the caller, decided by the exception's type along its cause
 * chain (never its message): a record over the size limit is the request's fault and retrying
 * cannot help (413, no Retry-After); anything else is Kafka not accepting writes now (503 +
 * Retry-After).
 */
final class ProduceFailures {
  private ProduceFailures() {}

  /** True if the write failed because the encoded record was too large. */
  static boolean tooLarge(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RecordTooLargeException) {
        return true;
      }
    }
    return false;
  }

  static ApiError toApiError(Throwable e, String requestId, int maxMessageBytes) {
    if (tooLarge(e)) {
      return tooLarge(maxMessageBytes, requestId);
    }
    Throwable c =
        e instanceof java.util.concurrent.CompletionException && e.getCause() != null
            ? e.getCause()
            : e;
    return ApiError.unavailable("Kafka did not accept the request: " + c.getMessage(), requestId);
  }

  static ApiError tooLarge(int maxMessageBytes, String requestId) {
    return new ApiError(
        413,
        ApiError.PAYLOAD_TOO_LARGE,
        "The encoded request is larger than "
            + maxMessageBytes
            + " bytes, the record limit ("
            + ConnectionKeys.MAX_MESSAGE_BYTES
            + "); send a smaller input.",
        null,
        null,
        requestId);
  }
}
