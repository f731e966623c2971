package io.sluice.functions.internal.runtime;

import io.sluice.functions.FunctionException;
import io.sluice.schemas.ErrorCodes;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Classifies a failure by type along its cause chain (never by message text), as Debezium's {@code
 * ErrorHandler} does: the first {@link FunctionException} found decides; otherwise timeouts and I/O
 * errors are retriable ({@code backend_unavailable}), {@link IllegalArgumentException} is invalid
 * input, and anything else is a permanent {@code function_error}.
 */
public final class FailureClassifier {
  private FailureClassifier() {}

  /** The verdict on a failure. */
  public record Verdict(String code, boolean retriable, Throwable cause) {}

  public static Verdict classify(Throwable error) {
    Throwable root = unwrap(error);
    int depth = 0;
    for (Throwable t = root; t != null && depth < 20; t = t.getCause(), depth++) {
      if (t instanceof FunctionException fe) {
        return new Verdict(fe.code(), fe.retriable(), root);
      }
    }
    depth = 0;
    for (Throwable t = root; t != null && depth < 20; t = t.getCause(), depth++) {
      if (t instanceof TimeoutException
          || t instanceof InterruptedIOException
          || t instanceof IOException
          || t instanceof UncheckedIOException) {
        return new Verdict(ErrorCodes.BACKEND_UNAVAILABLE, true, root);
      }
    }
    if (root instanceof IllegalArgumentException) {
      return new Verdict(ErrorCodes.INVALID_INPUT, false, root);
    }
    return new Verdict(ErrorCodes.FUNCTION_ERROR, false, root);
  }

  /** Strips the wrappers that futures and executors add. */
  public static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
