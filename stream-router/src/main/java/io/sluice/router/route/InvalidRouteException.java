package io.sluice.router.route;

import java.util.List;

/** A route config that breaks the rules; the message lists every problem. */
public final class InvalidRouteException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient List<String> problems;

  public InvalidRouteException(String app, List<String> problems) {
    super("invalid route config for app '" + app + "': " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
