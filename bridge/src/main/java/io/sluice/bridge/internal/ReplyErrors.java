package io.sluice.bridge.internal;

import io.sluice.avro.ErrorInfo;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.ResponseStatus;
import io.sluice.schemas.ErrorCodes;

/** What an ERROR reply means over HTTP: its status, by the reply's stable error code. */
final class ReplyErrors {
  private ReplyErrors() {}

  /** The HTTP error of an ERROR reply (status by its stable code), or null for an OK reply. */
  static ApiError errorOf(InferenceResponse r) {
    if (r.getStatus() == ResponseStatus.OK) {
      return null;
    }
    ErrorInfo e = r.getError();
    String code = e == null ? ErrorCodes.INTERNAL : e.getCode();
    String message = e == null ? "The reply carried no output." : e.getMessage();
    int status =
        switch (code) {
          case ErrorCodes.INVALID_INPUT -> 422;
          case ErrorCodes.UNKNOWN_APP -> 404;
          case ErrorCodes.DEADLINE_EXCEEDED -> 504;
          case ErrorCodes.RATE_LIMITED -> 429;
          case ErrorCodes.BACKEND_UNAVAILABLE, ErrorCodes.CANCELLED -> 503;
          case ErrorCodes.FUNCTION_ERROR, ErrorCodes.BACKEND_ERROR, ErrorCodes.UNDECODABLE -> 502;
          default -> 500;
        };
    Integer retryAfter = e != null && e.getRetriable() ? 1 : null;
    return new ApiError(status, code, message, null, retryAfter, r.getRequestId());
  }
}
