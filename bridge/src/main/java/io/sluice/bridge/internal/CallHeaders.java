package io.sluice.bridge.internal;

import io.sluice.avro.Priority;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The request headers a client controls, each parsed with bounds before the bridge takes anything
 * (an in-flight slot, a result-store claim, a Kafka write). A bad one is a 400 {@code
 * invalid_header} whose {@code param} names the header; none can overflow or reach a timer or Kafka
 * unchecked. The rules are listed in {@code bridge/README.md}.
 *
 * @param respondAsync {@code Prefer: respond-async}
 * @param waitSeconds {@code Prefer: wait=N}, or null
 * @param timeoutMs {@code Sluice-Timeout-Ms}, or null
 * @param stainlessTimeoutMs OpenAI SDKs' {@code X-Stainless-Timeout} (seconds) in ms, or null
 * @param priority {@code Sluice-Priority}, or null
 * @param idempotencyKey {@code Idempotency-Key}, or null
 * @param traceparent a W3C {@code traceparent}, or null
 */
public record CallHeaders(
    boolean respondAsync,
    Long waitSeconds,
    Long timeoutMs,
    Long stainlessTimeoutMs,
    Priority priority,
    String idempotencyKey,
    String traceparent) {

  public static final String PREFER = "Prefer";
  public static final String TIMEOUT = "Sluice-Timeout-Ms";
  public static final String PRIORITY = "Sluice-Priority";
  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  public static final String STAINLESS_TIMEOUT = "X-Stainless-Timeout";
  public static final String TRACEPARENT = "traceparent";

  /** Most digits of {@code Prefer: wait}: 10^12 s times 1000 cannot overflow a long. */
  static final int MAX_WAIT_DIGITS = 12;

  /** Most digits of {@code Sluice-Timeout-Ms}. */
  static final int MAX_TIMEOUT_DIGITS = 15;

  static final int MAX_IDEMPOTENCY_KEY = 255;

  private static final Pattern DIGITS = Pattern.compile("[0-9]+");
  private static final Pattern DECIMAL_SECONDS = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,9})?");
  private static final Pattern TRACEPARENT_FORM =
      Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?");

  /** Parses and checks every header of a call. */
  public static CallHeaders parse(MultiMap h) {
    Prefer prefer = prefer(h);
    return new CallHeaders(
        prefer.respondAsync(),
        prefer.waitSeconds(),
        timeoutMs(single(h, TIMEOUT)),
        stainlessMs(single(h, STAINLESS_TIMEOUT)),
        priority(single(h, PRIORITY)),
        idempotencyKey(single(h, IDEMPOTENCY_KEY)),
        traceparent(single(h, TRACEPARENT)));
  }

  /** {@code Prefer: wait=N} as milliseconds, capped at {@code capMs}; 0 when absent. */
  public static long preferWaitMs(MultiMap h, long capMs) {
    Long w = prefer(h).waitSeconds();
    return w == null ? 0 : Math.min(w * 1000, capMs);
  }

  static ApiError bad(String header, String message) {
    return new ApiError(400, ApiError.INVALID_HEADER, message, header, null, null);
  }

  private static String single(MultiMap h, String name) {
    List<String> all = h.getAll(name);
    if (all.isEmpty()) {
      return null;
    }
    if (all.size() > 1) {
      throw bad(name, name + " may be given only once.");
    }
    return all.get(0).trim();
  }

  private record Prefer(boolean respondAsync, Long waitSeconds) {}

  /**
   * RFC 7240: comma-separated preferences, each {@code token [= value] *(; parameter)}, tokens
   * case-insensitive; a repeated preference takes its first value and unknown ones are ignored.
   */
  private static Prefer prefer(MultiMap h) {
    boolean async = false;
    Long wait = null;
    for (String header : h.getAll(PREFER)) {
      for (String pref : header.split(",", -1)) {
        String main = pref.split(";", 2)[0].trim();
        String[] kv = main.split("=", 2);
        String token = kv[0].trim().toLowerCase(Locale.ROOT);
        if (token.equals("respond-async")) {
          async = true;
        } else if (token.equals("wait") && wait == null) {
          String v = kv.length < 2 ? "" : unquote(kv[1].trim());
          if (!DIGITS.matcher(v).matches() || v.length() > MAX_WAIT_DIGITS) {
            throw bad(
                PREFER,
                "Prefer: wait=N needs N in whole seconds (0 to "
                    + "9".repeat(MAX_WAIT_DIGITS)
                    + ").");
          }
          wait = Long.parseLong(v);
        }
      }
    }
    return new Prefer(async, wait);
  }

  private static Long timeoutMs(String v) {
    if (v == null) {
      return null;
    }
    if (!DIGITS.matcher(v).matches() || v.length() > MAX_TIMEOUT_DIGITS || Long.parseLong(v) < 1) {
      throw bad(
          TIMEOUT,
          TIMEOUT + " must be a positive whole number of milliseconds (at most 15 digits).");
    }
    return Long.parseLong(v);
  }

  /** Seconds, as OpenAI's SDKs send them ("600" or "600.0"); 0 means "not set". */
  private static Long stainlessMs(String v) {
    if (v == null) {
      return null;
    }
    if (!DECIMAL_SECONDS.matcher(v).matches()) {
      throw bad(STAINLESS_TIMEOUT, STAINLESS_TIMEOUT + " must be a number of seconds.");
    }
    long ms = Math.round(Double.parseDouble(v) * 1000);
    return ms < 1 ? null : ms;
  }

  private static Priority priority(String v) {
    if (v == null) {
      return null;
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "interactive" -> Priority.INTERACTIVE;
      case "bulk" -> Priority.BULK;
      default -> throw bad(PRIORITY, PRIORITY + " must be \"interactive\" or \"bulk\".");
    };
  }

  /**
   * 1 to 255 visible ASCII characters; a quoted value (the IETF draft's structured-field form) is
   * the same key as the unquoted one.
   */
  private static String idempotencyKey(String v) {
    if (v == null) {
      return null;
    }
    String k = unquote(v);
    boolean ok = !k.isEmpty() && k.length() <= MAX_IDEMPOTENCY_KEY;
    for (int i = 0; ok && i < k.length(); i++) {
      char c = k.charAt(i);
      ok = c >= 0x21 && c <= 0x7e;
    }
    if (!ok) {
      throw bad(
          IDEMPOTENCY_KEY,
          IDEMPOTENCY_KEY + " must have 1 to 255 visible ASCII characters (no spaces).");
    }
    return k;
  }

  /**
   * W3C Trace Context: {@code version-traceid-parentid-flags} in lower-case hex; version ff is
   * invalid, version 00 has exactly these four fields, ids are not all zeros.
   */
  private static String traceparent(String v) {
    if (v == null) {
      return null;
    }
    var m = TRACEPARENT_FORM.matcher(v);
    boolean ok =
        v.length() <= 512
            && m.matches()
            && !m.group(1).equals("ff")
            && !(m.group(1).equals("00") && m.group(5) != null)
            && !m.group(2).equals("0".repeat(32))
            && !m.group(3).equals("0".repeat(16));
    if (!ok) {
      throw bad(
          TRACEPARENT,
          "traceparent must be a W3C trace context: 00-<32 hex trace id>-<16 hex parent id>-<2"
              + " hex flags>.");
    }
    return v;
  }

  private static String unquote(String v) {
    return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")
        ? v.substring(1, v.length() - 1)
        : v;
  }
}
