package io.sluice.loadtest.generator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongUnaryOperator;

/**
 * A fake target on a {@link FakeClock}: each request is answered OK at the time a script gives for
 * its send time. Records actual send times so tests can check the schedule.
 */
final class ScriptedTarget implements Target {
  private final FakeClock clock;
  private final LongUnaryOperator replyAtForSendAt;
  private final String variantPrefix;
  private java.util.function.Function<LoadRequest, Reply> replies;
  final List<Long> sendTimes = new ArrayList<>();
  final List<LoadRequest> requests = new ArrayList<>();

  ScriptedTarget(FakeClock clock, LongUnaryOperator replyAtForSendAt) {
    this(clock, replyAtForSendAt, null);
  }

  ScriptedTarget(FakeClock clock, LongUnaryOperator replyAtForSendAt, String variantPrefix) {
    this.clock = clock;
    this.replyAtForSendAt = replyAtForSendAt;
    this.variantPrefix = variantPrefix;
  }

  /** Answers with what {@code f} returns instead of a plain OK. */
  ScriptedTarget replying(java.util.function.Function<LoadRequest, Reply> f) {
    this.replies = f;
    return this;
  }

  /** Answers immediately. */
  static ScriptedTarget instant(FakeClock clock) {
    return new ScriptedTarget(clock, t -> t);
  }

  @Override
  public CompletableFuture<Reply> send(LoadRequest request) {
    long now = clock.nanoTime();
    sendTimes.add(now);
    requests.add(request);
    CompletableFuture<Reply> f = new CompletableFuture<>();
    String variant =
        variantPrefix == null || request.key() == null
            ? null
            : variantPrefix + (Math.floorMod(request.key().hashCode(), 2) == 0 ? "a" : "b");
    long at = replyAtForSendAt.applyAsLong(now);
    Reply reply = replies != null ? replies.apply(request) : Reply.ok(variant, null);
    if (at <= now) {
      f.complete(reply);
    } else {
      clock.at(at, () -> f.complete(reply));
    }
    return f;
  }

  @Override
  public String describe() {
    return "scripted";
  }

  @Override
  public void close() {}
}
