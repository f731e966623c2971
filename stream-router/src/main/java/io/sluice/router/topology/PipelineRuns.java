package io.sluice.router.topology;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.avro.InferenceRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;

/**
 * The state of pipeline runs as kept in the {@code pipeline-runs} store (JSON, versioned), and the
 * names that tie a step reply to its run.
 */
final class PipelineRuns {
  /** Value of {@code sluice-pipeline-event} on a start record. */
  static final String START = "start";

  /** On a start record: the run's nonce ({@link #nonce}). */
  static final String NONCE_HEADER = "sluice-pipeline-nonce";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private PipelineRuns() {}

  /**
   * The run id of a routed pipeline request: app and request id (two apps' callers may pick the
   * same ids), plus the pipeline for a shadow run.
   */
  static String runId(InferenceRequest request) {
    String id = request.getApp() + ":" + request.getRequestId();
    return request.getShadow() ? id + "/shadow:" + request.getPipeline() : id;
  }

  /**
   * The nonce of a run: a hash of the client's request record. A start written twice for one record
   * has the same one; a new request that reuses a finished run's request id has another, so it is a
   * new run, and the replies of the old run's steps cannot be taken for the new run's.
   */
  static String nonce(byte[] requestRecord) {
    return String.format(
        "%08x", Utils.murmur2(requestRecord == null ? new byte[0] : requestRecord));
  }

  /** The request id of a step request: {@code <run id>/<step>.<nonce>}. */
  static String stepRequestId(String runId, String step, String nonce) {
    return runId + "/" + step + "." + nonce;
  }

  /** A step request id taken apart. */
  record StepId(String runId, String step, String nonce) {}

  /** The parts of a step request id, or null if it is not one (step names have no '.' or '/'). */
  static StepId split(String stepRequestId) {
    int slash = stepRequestId == null ? -1 : stepRequestId.lastIndexOf('/');
    if (slash <= 0) {
      return null;
    }
    String last = stepRequestId.substring(slash + 1);
    int dot = last.indexOf('.');
    if (dot <= 0 || dot == last.length() - 1) {
      return null;
    }
    return new StepId(
        stepRequestId.substring(0, slash), last.substring(0, dot), last.substring(dot + 1));
  }

  /** Key of a run in the deadline index: sorts by deadline. */
  static String deadlineKey(long deadlineMs, String runId) {
    return String.format("%016x", Math.max(0, deadlineMs)) + "|" + runId;
  }

  /** The lowest index key after every deadline at or before {@code nowMs}. */
  static String deadlineUpperBound(long nowMs) {
    return String.format("%016x", Math.max(0, nowMs)) + "|\uffff";
  }

  static byte[] encode(Run run) {
    try {
      return JSON.writeValueAsBytes(run);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Run decode(byte[] bytes) {
    try {
      return JSON.readValue(bytes, Run.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One run. A finished run is kept as a marker ({@code done}, nothing else) until it expires. */
  static final class Run {
    public int v = 1;
    public boolean done;

    /** Tells this run from an earlier one with the same request id ({@link #nonce}). */
    public String nonce;

    /** The routed request that started the run (Confluent wire format). */
    public byte[] request;

    /** The pipeline's definition as it was when the run started. */
    public String pipeline;

    /** The partition of {@code sluice.pipeline.replies} the run lives on. */
    public int partition;

    public long startedAtMs;
    public long deadlineMs;
    public Map<String, StepRun> steps = new LinkedHashMap<>();
  }

  /** One step of a run. */
  static final class StepRun {
    public String outcome = Outcome.PENDING;
    public String deployment;
    public Long sentAtMs;
    public Long startedAtMs;
    public Long finishedAtMs;
    public Long answeredAtMs;
    public JsonNode output;
    public String errorCode;
    public String errorMessage;
    public boolean retriable;
  }

  /** Step outcomes, as reported in {@code StepReport.outcome}. */
  static final class Outcome {
    static final String PENDING = "pending";
    static final String SENT = "sent";
    static final String OK = "ok";
    static final String DEFAULTED = "defaulted";
    static final String SKIPPED = "skipped";
    static final String SKIPPED_ON_FAILURE = "skipped_on_failure";
    static final String FAILED = "failed";

    private Outcome() {}

    static boolean finished(String outcome) {
      return !outcome.equals(PENDING) && !outcome.equals(SENT);
    }

    static boolean skipped(String outcome) {
      return outcome.equals(SKIPPED) || outcome.equals(SKIPPED_ON_FAILURE);
    }

    static boolean hasOutput(String outcome) {
      return outcome.equals(OK) || outcome.equals(DEFAULTED);
    }
  }
}
