package io.sluice.bridge.internal;

import io.sluice.avro.Priority;

/**
 * A call the bridge has accepted to run: every header and the body checked, the options derived.
 *
 * @param dialect the API it came through
 * @param call the validated body
 * @param timeoutMs how long the caller waits, and the request's deadline
 * @param priority its scheduling class
 * @param traceparent the W3C trace context to copy into the request, or null
 */
record CallPlan(
    Dialect dialect, ParsedCall call, long timeoutMs, Priority priority, String traceparent) {
  String app() {
    return call.app();
  }
}
