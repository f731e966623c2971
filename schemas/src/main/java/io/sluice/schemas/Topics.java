package io.sluice.schemas;

import java.util.regex.Pattern;

/**
 * The topic and consumer-group names of the wire contract (docs/CONTRACTS.md, "Names").
 *
 * <p>Every part of Sluice derives names from here so that a rename happens in one place.
 */
public final class Topics {
  /** Compacted topic holding one {@code RouteConfig} per app, key = app. */
  public static final String ROUTES = "sluice.routes";

  /** Dead letters of the stream router. */
  public static final String DLQ_ROUTER = "sluice.dlq.router";

  /**
   * Router-owned: pipeline starts (written by the router's intake) and the replies of pipeline
   * steps (written by workers, on the partition the run lives on). See docs/PIPELINES.md.
   */
  public static final String PIPELINE_REPLIES = "sluice.pipeline.replies";

  /**
   * Bridge-owned, compacted: batch files (OpenAI {@code /v1/files}), content chunks keyed {@code
   * <fileId>/<n>} and a metadata record keyed {@code <fileId>}. See docs/BATCH.md.
   */
  public static final String BATCH_FILES = "sluice.batch.files";

  /** Bridge-owned, compacted: one batch job record per batch id. See docs/BATCH.md. */
  public static final String BATCH_JOBS = "sluice.batch.jobs";

  /**
   * Bridge-owned: replies to batch lines (workers write them on the partition their job runs on)
   * and cancel events. See docs/BATCH.md.
   */
  public static final String BATCH_EVENTS = "sluice.batch.events";

  /** Compacted topic where the embedded schema registry keeps its schemas. */
  public static final String SCHEMAS = "_schemas";

  private static final Pattern LEGAL_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,200}");

  private Topics() {}

  /** {@code sluice.requests.<app>}: where every entry path writes an app's requests. */
  public static String requests(String app) {
    return "sluice.requests." + checkName("app", app);
  }

  /** {@code sluice.batches.<deployment>}: the router's micro-batches for one deployment. */
  public static String batches(String deployment) {
    return "sluice.batches." + checkName("deployment", deployment);
  }

  /** {@code sluice.responses.<app>}: the default reply topic of an app. */
  public static String responses(String app) {
    return "sluice.responses." + checkName("app", app);
  }

  /** {@code sluice.shadow.<app>}: replies to shadow copies, never seen by callers. */
  public static String shadowResponses(String app) {
    return "sluice.shadow." + checkName("app", app);
  }

  /** {@code sluice.dlq.<deployment>}: dead letters of a deployment's workers. */
  public static String dlq(String deployment) {
    return "sluice.dlq." + checkName("deployment", deployment);
  }

  /** {@code sluice.fn.<deployment>}: the consumer group of a deployment's workers. */
  public static String workerGroup(String deployment) {
    return "sluice.fn." + checkName("deployment", deployment);
  }

  /** The app named by a request topic, or {@code null} if the topic is not a request topic. */
  public static String appOfRequestTopic(String topic) {
    String prefix = "sluice.requests.";
    return topic != null && topic.startsWith(prefix) ? topic.substring(prefix.length()) : null;
  }

  /**
   * Checks that an app or deployment name can be part of a topic name.
   *
   * @throws IllegalArgumentException naming the problem
   */
  public static String checkName(String what, String name) {
    if (name == null || !LEGAL_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          what
              + " name '"
              + name
              + "' is not allowed: use 1 to 200 characters of a-z, A-Z, 0-9, '.', '_' and '-'");
    }
    return name;
  }
}
