package io.sluice.schemas;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Kafka header names of the wire contract. Request ids, deadlines, reply destinations, variant and
 * trace context travel in the Avro record and, so that tools can route without decoding, in these
 * headers. Values are UTF-8 strings.
 */
public final class SluiceHeaders {
  public static final String REQUEST_ID = "sluice-request-id";
  public static final String DEADLINE_MS = "sluice-deadline-ms";
  public static final String REPLY_TO = "sluice-reply-to";
  public static final String REPLY_PARTITION = "sluice-reply-partition";
  public static final String VARIANT = "sluice-variant";
  public static final String APP = "sluice-app";
  public static final String PRIORITY = "sluice-priority";

  /**
   * On {@code sluice.batches.<deployment>}: how many requests the batch holds (the router sets it),
   * so a worker counting its concurrency in requests need not decode the batch to know.
   */
  public static final String BATCH_SIZE = "sluice-batch-size";

  public static final String TRACEPARENT = "traceparent";

  /**
   * On {@code sluice.pipeline.replies}: {@code start} marks a pipeline start written by the router.
   */
  public static final String PIPELINE_EVENT = "sluice-pipeline-event";

  /** Error and provenance headers on dead letters and error replies. */
  public static final String ERROR_CODE = "sluice-error-code";

  public static final String ERROR_REASON = "sluice-error-reason";
  public static final String ERROR_CLASS = "sluice-error-class";
  public static final String ERROR_TOPIC = "sluice-error-topic";
  public static final String ERROR_PARTITION = "sluice-error-partition";
  public static final String ERROR_OFFSET = "sluice-error-offset";
  public static final String ERROR_STAGE = "sluice-error-stage";

  private SluiceHeaders() {}

  /** The last value of a header as a string, or {@code null}. */
  public static String get(Headers headers, String name) {
    if (headers == null) {
      return null;
    }
    Header h = headers.lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** Replaces a header with a string value; a {@code null} value removes it. */
  public static void put(Headers headers, String name, String value) {
    headers.remove(name);
    if (value != null) {
      headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
  }
}
