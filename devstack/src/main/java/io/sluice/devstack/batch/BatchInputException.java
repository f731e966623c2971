package io.sluice.devstack.batch;

import java.util.List;

/**
 * An input or output file {@code sluice batch} refuses, before anything is sent: each problem names
 * its file and line.
 */
public final class BatchInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /** One problem. */
  public BatchInputException(String problem) {
    this(List.of(problem));
  }

  /** Several problems, in line order. */
  public BatchInputException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem, one per entry. */
  public List<String> problems() {
    return problems;
  }
}
