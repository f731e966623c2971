package io.sluice.schemas.pipeline;

import java.util.List;
import java.util.stream.Collectors;

/** A pipeline definition that cannot run; {@link #problems()} lists every problem found. */
public final class InvalidPipelineException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final transient List<PipelineProblem> problems;

  public InvalidPipelineException(String pipeline, List<PipelineProblem> problems) {
    super(
        "pipeline '"
            + pipeline
            + "': "
            + problems.stream().map(PipelineProblem::toString).collect(Collectors.joining("; ")));
    this.problems = List.copyOf(problems);
  }

  public List<PipelineProblem> problems() {
    return problems;
  }
}
