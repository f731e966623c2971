package io.sluice.schemas;

import io.sluice.avro.DeadLetter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Builds dead letters that carry the reason and the provenance of what failed, as SmallRye's Kafka
 * DLQ does: exception class, message, cause chain, original topic/partition/offset, original key,
 * value and headers. Also stamps the same facts as {@code sluice-error-*} headers.
 */
public final class DeadLetters {
  private DeadLetters() {}

  /** Where the failed record came from, and its untouched bytes. */
  public record Provenance(
      String topic,
      int partition,
      long offset,
      long timestampMs,
      byte[] key,
      byte[] value,
      Headers headers) {}

  /** A dead letter for a failure at a stage ({@code router}, {@code worker:<deployment>}...). */
  public static DeadLetter of(
      String stage,
      String errorCode,
      String reason,
      Throwable error,
      Provenance from,
      String requestId,
      String app,
      String deployment,
      int attempts) {
    Map<String, ByteBuffer> headers = new LinkedHashMap<>();
    if (from.headers() != null) {
      for (Header h : from.headers()) {
        headers.put(h.key(), ByteBuffer.wrap(h.value() == null ? new byte[0] : h.value()));
      }
    }
    return DeadLetter.newBuilder()
        .setStage(stage)
        .setErrorCode(errorCode)
        .setReason(reason == null ? errorCode : reason)
        .setExceptionClass(error == null ? null : error.getClass().getName())
        .setExceptionMessage(error == null ? null : error.getMessage())
        .setCauseChain(causeChain(error))
        .setSourceTopic(from.topic())
        .setSourcePartition(from.partition())
        .setSourceOffset(from.offset())
        .setSourceTimestampMs(from.timestampMs())
        .setOriginalKey(from.key() == null ? null : ByteBuffer.wrap(from.key()))
        .setOriginalValue(from.value() == null ? null : ByteBuffer.wrap(from.value()))
        .setOriginalHeaders(headers)
        .setRequestId(requestId)
        .setApp(app)
        .setDeployment(deployment)
        .setAttempts(attempts)
        .setFailedAtMs(java.time.Instant.now())
        .build();
  }

  /** Longest text field of a dead letter kept by {@link #fitting}, in characters. */
  static final int MAX_TEXT = 500;

  /**
   * Room {@link #fitting} leaves for everything but the original key, value and headers: the text
   * fields capped at {@link #MAX_TEXT} characters (12 of them, at most 4 UTF-8 bytes a character)
   * plus the fixed fields and the Kafka record's envelope.
   */
  static final int RESERVED = 12 * MAX_TEXT * 4 + 8 * 1024;

  /**
   * The dead letter, cut down so that its record fits in {@code maxRecordBytes}: long texts are
   * capped, and the original value, key and headers share what is left, in that order of priority.
   * What was cut is said in {@code reason} (e.g. "original value truncated from 2097152 to 1015808
   * bytes"), so nobody mistakes a cut payload for the original.
   */
  public static DeadLetter fitting(DeadLetter dl, int maxRecordBytes) {
    DeadLetter out = DeadLetter.newBuilder(dl).build();
    out.setReason(truncate(out.getReason(), MAX_TEXT));
    out.setExceptionMessage(truncate(out.getExceptionMessage(), MAX_TEXT));
    List<String> chain = new ArrayList<>();
    for (String c : out.getCauseChain()) {
      chain.add(truncate(c, MAX_TEXT));
    }
    out.setCauseChain(chain);
    int budget = Math.max(0, maxRecordBytes - RESERVED);
    StringBuilder cut = new StringBuilder();
    ByteBuffer value = out.getOriginalValue();
    if (value != null && value.remaining() > budget) {
      cut.append("original value truncated from ")
          .append(value.remaining())
          .append(" to ")
          .append(budget)
          .append(" bytes");
      out.setOriginalValue(slice(value, budget));
      value = out.getOriginalValue();
    }
    budget -= value == null ? 0 : value.remaining();
    ByteBuffer key = out.getOriginalKey();
    if (key != null && key.remaining() > budget) {
      cut.append(cut.length() == 0 ? "" : "; ")
          .append("original key truncated from ")
          .append(key.remaining())
          .append(" to ")
          .append(budget)
          .append(" bytes");
      out.setOriginalKey(slice(key, budget));
      key = out.getOriginalKey();
    }
    budget -= key == null ? 0 : key.remaining();
    Map<String, ByteBuffer> kept = new LinkedHashMap<>();
    int dropped = 0;
    for (Map.Entry<String, ByteBuffer> h : out.getOriginalHeaders().entrySet()) {
      int size = h.getKey().length() * 4 + h.getValue().remaining() + 10;
      if (size <= budget) {
        kept.put(h.getKey(), h.getValue());
        budget -= size;
      } else {
        dropped++;
      }
    }
    if (dropped > 0) {
      out.setOriginalHeaders(kept);
      cut.append(cut.length() == 0 ? "" : "; ")
          .append(dropped)
          .append(" original header(s) dropped");
    }
    if (cut.length() > 0) {
      out.setReason(truncate(out.getReason(), MAX_TEXT) + " [" + cut + "]");
    }
    return out;
  }

  private static ByteBuffer slice(ByteBuffer b, int length) {
    ByteBuffer d = b.duplicate();
    d.limit(d.position() + length);
    return d.slice();
  }

  /** "Class: message" of each cause, outermost first (bounded, cycles cut). */
  public static List<String> causeChain(Throwable error) {
    List<String> out = new ArrayList<>();
    for (Throwable t = error; t != null && out.size() < 10; t = t.getCause()) {
      out.add(t.getClass().getName() + ": " + t.getMessage());
      if (t.getCause() == t) {
        break;
      }
    }
    return out;
  }

  /** Stamps the reason and provenance as headers on a dead letter or error reply record. */
  public static void putErrorHeaders(Headers headers, DeadLetter dl) {
    SluiceHeaders.put(headers, SluiceHeaders.ERROR_CODE, dl.getErrorCode());
    SluiceHeaders.put(headers, SluiceHeaders.ERROR_REASON, truncate(dl.getReason(), 1000));
    SluiceHeaders.put(headers, SluiceHeaders.ERROR_CLASS, dl.getExceptionClass());
    SluiceHeaders.put(headers, SluiceHeaders.ERROR_STAGE, dl.getStage());
    SluiceHeaders.put(headers, SluiceHeaders.ERROR_TOPIC, dl.getSourceTopic());
    SluiceHeaders.put(
        headers, SluiceHeaders.ERROR_PARTITION, Integer.toString(dl.getSourcePartition()));
    SluiceHeaders.put(headers, SluiceHeaders.ERROR_OFFSET, Long.toString(dl.getSourceOffset()));
    SluiceHeaders.put(headers, SluiceHeaders.REQUEST_ID, dl.getRequestId());
  }

  private static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }
}
