package io.sluice.fakeb;

import io.sluice.fakea.internal.Hidden;

/** Fixture: module 'fakeb' reaching into module 'fakea''s internals. */
public final class Intruder {
  public int peek() {
    return Hidden.answer();
  }
}
