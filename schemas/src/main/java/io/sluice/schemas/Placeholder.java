package io.sluice.schemas;

final class Placeholder {
  private Placeholder() {}
}
