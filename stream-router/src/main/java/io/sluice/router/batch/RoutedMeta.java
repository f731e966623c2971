package io.sluice.router.batch;

import io.sluice.avro.InferenceRequest;
import io.sluice.avro.Priority;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.avro.SchemaNormalization;

/**
 * What the batcher needs of a routed request, carried beside its bytes on the router's repartition
 * topic (header {@link #HEADER}) so that the batcher appends the request's Avro binary to its batch
 * without decoding and re-encoding it. The header also carries the parsing-form fingerprint of the
 * schema the intake wrote with: the bytes are used as they are only when it is this code's {@code
 * InferenceRequest} schema (same parsing form, so the very encoding this code would write);
 * otherwise, or when the header is absent or unreadable (records of an older router, pipeline
 * steps), the batcher decodes the request as before.
 *
 * @param app the request's app (its route gives the batch limits)
 * @param deployment the deployment it was routed to
 * @param priority its priority class
 * @param deadlineMs its deadline, {@link Long#MAX_VALUE} if none
 * @param tokens its {@link TokenEstimator} estimate
 */
public record RoutedMeta(
    String app, String deployment, Priority priority, long deadlineMs, int tokens) {
  /** Internal header of the router's own repartition topic (never on a user's topic). */
  public static final String HEADER = "sluice-routed-meta";

  private static final byte VERSION = 1;

  /** Fingerprint of the parsing form of this code's {@code InferenceRequest} schema. */
  static final long SCHEMA_FINGERPRINT =
      SchemaNormalization.parsingFingerprint64(InferenceRequest.getClassSchema());

  /** The metadata of a routed request (deployment and priority set). */
  public static RoutedMeta of(InferenceRequest r) {
    Instant deadline = r.getDeadlineMs();
    return new RoutedMeta(
        r.getApp(),
        r.getDeployment(),
        r.getPriority(),
        deadline == null ? Long.MAX_VALUE : deadline.toEpochMilli(),
        TokenEstimator.estimate(r));
  }

  /**
   * The header value: version, schema fingerprint, deadline, tokens, then priority, app and
   * deployment as length-prefixed UTF-8.
   */
  public byte[] toHeader() {
    byte[] a = app.getBytes(StandardCharsets.UTF_8);
    byte[] d = deployment.getBytes(StandardCharsets.UTF_8);
    byte[] p = priority.name().getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(1 + 8 + 8 + 4 + 4 + p.length + 4 + a.length + 4 + d.length)
        .put(VERSION)
        .putLong(SCHEMA_FINGERPRINT)
        .putLong(deadlineMs)
        .putInt(tokens)
        .putInt(p.length)
        .put(p)
        .putInt(a.length)
        .put(a)
        .putInt(d.length)
        .put(d)
        .array();
  }

  /**
   * The metadata in a header value, or null when the value is absent, unreadable, of another
   * version, or written with another request schema (then the request must be decoded).
   */
  public static RoutedMeta fromHeader(byte[] value) {
    if (value == null || value.length < 33 || value[0] != VERSION) {
      return null;
    }
    try {
      ByteBuffer b = ByteBuffer.wrap(value, 1, value.length - 1);
      if (b.getLong() != SCHEMA_FINGERPRINT) {
        return null;
      }
      long deadline = b.getLong();
      int tokens = b.getInt();
      String p = string(b);
      String app = string(b);
      String deployment = string(b);
      if (tokens < 1 || p == null || app == null || deployment == null || b.hasRemaining()) {
        return null;
      }
      return new RoutedMeta(app, deployment, Priority.valueOf(p), deadline, tokens);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      return null;
    }
  }

  private static String string(ByteBuffer b) {
    int n = b.getInt();
    if (n < 0 || n > b.remaining()) {
      return null;
    }
    String s = new String(b.array(), b.arrayOffset() + b.position(), n, StandardCharsets.UTF_8);
    b.position(b.position() + n);
    return s;
  }
}
