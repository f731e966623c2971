package io.sluice.bridge.batch;

/** A line of a batch input file that cannot run, with the {@link BatchError} that says why. */
public final class BatchLineException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial") // a record of strings; never serialized in practice
  private final BatchError error;

  public BatchLineException(BatchError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  public BatchError error() {
    return error;
  }
}
