package io.sluice.manifest;

import java.util.List;

/** A manifest that cannot be used; {@link #problems()} names every problem found. */
public final class InvalidManifestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial") // records of strings; never serialised in practice
  private final List<ManifestProblem> problems;

  public InvalidManifestException(List<ManifestProblem> problems) {
    super(render(problems));
    this.problems = List.copyOf(problems);
  }

  public List<ManifestProblem> problems() {
    return problems;
  }

  private static String render(List<ManifestProblem> problems) {
    StringBuilder sb = new StringBuilder();
    sb.append(problems.size() == 1 ? "1 problem" : problems.size() + " problems")
        .append(" in the manifest, nothing applied:");
    problems.forEach(p -> sb.append("\n  - ").append(p));
    return sb.toString();
  }
}
