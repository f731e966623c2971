package io.sluice.fakea.internal;

/** Fixture: an internal class of the made-up module 'fakea'. */
public final class Hidden {
  public static int answer() {
    return 42;
  }
}
