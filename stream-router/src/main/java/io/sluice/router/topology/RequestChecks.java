package io.sluice.router.topology;

import io.sluice.avro.InferenceRequest;
import io.sluice.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules every client-controlled field of a request must pass before the request is routed (the
 * table in the module README). Each check returns what is wrong, or {@code null}.
 */
final class RequestChecks {
  /** Visible ASCII: safe in keys, headers, logs and URLs of the bridge. */
  static final Pattern REQUEST_ID = Pattern.compile("[\\x21-\\x7E]{1,128}");

  static final Pattern LEGAL_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  /** W3C trace context, version 00 layout (later versions may append fields after a dash). */
  static final Pattern TRACEPARENT =
      Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?");

  static final int MAX_MODEL = 256;
  static final int MAX_ATTRIBUTES = 256;
  static final int MAX_ATTRIBUTE_KEY = 256;
  static final Duration MAX_DEADLINE_AHEAD = Duration.ofDays(7);

  /**
   * Topics a client may never have the router write a reply into: Sluice's own (requests, batches,
   * routes, dead letters, pipeline, shadow results), Kafka's and the registry's internal topics,
   * and any Kafka Streams internal topic. The bridge's results topic ({@code
   * sluice.bridge.results}) is NOT reserved: it is where the bridge's async calls ask their replies
   * to go.
   */
  private static final List<String> RESERVED_PREFIXES =
      List.of(
          "sluice.requests.",
          "sluice.batches.",
          "sluice.dlq.",
          "sluice.pipeline.",
          "sluice.shadow.",
          "__",
          "_confluent",
          Topics.SCHEMAS);

  private static final List<String> RESERVED_NAMES = List.of(Topics.ROUTES, Topics.DLQ_ROUTER);

  private RequestChecks() {}

  static String requestId(String id) {
    if (id == null || id.isEmpty()) {
      return "requestId is missing";
    }
    return REQUEST_ID.matcher(id).matches()
        ? null
        : "requestId must be 1 to 128 visible ASCII characters (no spaces or control characters)";
  }

  /** Why a client may not name this topic as its reply destination, or null. */
  static String replyTopicName(String topic) {
    if (!LEGAL_TOPIC.matcher(topic).matches()) {
      return "replyTo '" + abbreviate(topic) + "' is not a legal topic name";
    }
    if (RESERVED_NAMES.contains(topic)
        || RESERVED_PREFIXES.stream().anyMatch(topic::startsWith)
        || topic.endsWith("-changelog")
        || topic.endsWith("-repartition")) {
      return "replyTo '" + topic + "' is one of Sluice's or Kafka's own topics";
    }
    return null;
  }

  /** The checks of fields that need no metadata; the app is already set from the topic. */
  static String fields(InferenceRequest r, long nowMs) {
    String problem = requestId(r.getRequestId());
    if (problem != null) {
      return problem;
    }
    if (r.getReplyTo() != null) {
      problem = replyTopicName(r.getReplyTo());
      if (problem != null) {
        return problem;
      }
    }
    if (r.getReplyPartition() != null && r.getReplyPartition() < 0) {
      return "replyPartition " + r.getReplyPartition() + " is negative";
    }
    Instant deadline = r.getDeadlineMs();
    if (deadline != null) {
      if (deadline.toEpochMilli() <= 0) {
        return "deadlineMs " + deadline.toEpochMilli() + " is not a time";
      }
      if (deadline.toEpochMilli() - nowMs > MAX_DEADLINE_AHEAD.toMillis()) {
        return "deadlineMs is more than " + MAX_DEADLINE_AHEAD.toDays() + " days ahead";
      }
    }
    if (r.getModel() != null && r.getModel().length() > MAX_MODEL) {
      return "model is longer than " + MAX_MODEL + " characters";
    }
    Map<String, String> attributes = r.getAttributes();
    if (attributes != null) {
      if (attributes.size() > MAX_ATTRIBUTES) {
        return "more than " + MAX_ATTRIBUTES + " attributes";
      }
      for (String k : attributes.keySet()) {
        if (k.isEmpty() || k.length() > MAX_ATTRIBUTE_KEY) {
          return "attribute names must be 1 to " + MAX_ATTRIBUTE_KEY + " characters";
        }
      }
    }
    return null;
  }

  /** Whether a traceparent is well-formed (W3C: an invalid one is dropped, not propagated). */
  static boolean validTraceparent(String tp) {
    var m = TRACEPARENT.matcher(tp);
    if (!m.matches() || m.group(1).equals("ff")) {
      return false;
    }
    if (m.group(1).equals("00") && m.group(5) != null) {
      return false;
    }
    return !m.group(2).chars().allMatch(c -> c == '0')
        && !m.group(3).chars().allMatch(c -> c == '0');
  }

  static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }
}
