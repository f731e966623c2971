package io.sluice.registry;

import java.util.Locale;
import java.util.Optional;

/**
 * The compatibility levels of the Confluent Schema Registry API, checked on every registration.
 *
 * <p>Deliberately not the client's {@code io.sluice.schemas.registry.CompatibilityLevel}: this
 * module is a stand-in for Confluent's server and depends on no Sluice client code, so the client
 * is tested against it as against a foreign registry (a change on one side cannot silently change
 * the other). The names are the wire contract both sides share; only the server needs what each
 * level checks ({@link #backward()}, {@link #forward()}, {@link #transitive()}).
 */
public enum CompatibilityLevel {
  NONE(false, false, false),
  BACKWARD(true, false, false),
  BACKWARD_TRANSITIVE(true, false, true),
  FORWARD(false, true, false),
  FORWARD_TRANSITIVE(false, true, true),
  FULL(true, true, false),
  FULL_TRANSITIVE(true, true, true);

  private final boolean backward;
  private final boolean forward;
  private final boolean transitive;

  CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
    this.backward = backward;
    this.forward = forward;
    this.transitive = transitive;
  }

  /** The new schema must read data written with the earlier one(s). */
  public boolean backward() {
    return backward;
  }

  /** Readers of the earlier schema(s) must read data written with the new one. */
  public boolean forward() {
    return forward;
  }

  /** Checked against every live earlier version, not only the latest. */
  public boolean transitive() {
    return transitive;
  }

  /** Parses a level name case-insensitively, as Confluent's registry accepts it. */
  public static Optional<CompatibilityLevel> parse(String name) {
    if (name == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(valueOf(name.trim().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
