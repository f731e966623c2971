package io.sluice.manifest;

/**
 * One thing wrong with a manifest, with where it is: {@code sluice.yaml:14:9:
 * apps.chat.route.variants[1].deployment: 'chat-c' is not a deployment in this file (deployments:
 * chat-a, chat-b)}.
 *
 * @param file the file as the user named it
 * @param line 1-based line, 0 when unknown
 * @param column 1-based column, 0 when unknown
 * @param key the key's path ({@code deployments.chat.batching.maxBatchSize}), empty for the whole
 *     file
 * @param message what is wrong and what is allowed
 */
public record ManifestProblem(String file, int line, int column, String key, String message) {
  @Override
  public String toString() {
    String where = line > 0 ? file + ":" + line + ":" + column : file;
    return key.isEmpty() ? where + ": " + message : where + ": " + key + ": " + message;
  }
}
