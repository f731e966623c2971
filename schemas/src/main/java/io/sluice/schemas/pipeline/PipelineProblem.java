package io.sluice.schemas.pipeline;

/**
 * One thing wrong with a pipeline definition.
 *
 * @param step the step it concerns, or null for the pipeline as a whole
 * @param path where, as keys from the pipeline's root ({@code steps.summarize.when}, {@code
 *     output})
 * @param message what is wrong, naming the step
 */
public record PipelineProblem(String step, String path, String message) {
  @Override
  public String toString() {
    return path + ": " + message;
  }
}
