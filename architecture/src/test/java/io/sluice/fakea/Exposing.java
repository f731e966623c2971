package io.sluice.fakea;

import io.sluice.fakea.internal.Hidden;

/** Fixture: public API of 'fakea' whose signature leaks its internal type. */
public final class Exposing {
  public Hidden leak() {
    return new Hidden();
  }
}
