package io.sluice.manifest.apply;

/**
 * One thing {@code sluice apply} changes (or, with {@code --dry-run}, would change).
 *
 * @param kind what sort of change
 * @param target the topic, subject or app it concerns
 * @param detail what exactly, e.g. {@code 3 -> 4 partitions}
 */
public record Change(Kind kind, String target, String detail) {
  /** The sorts of change, in the order they are made. */
  public enum Kind {
    CREATE_TOPIC("create topic"),
    ADD_PARTITIONS("add partitions"),
    REGISTER_SCHEMA("register schema"),
    SET_ROUTE("set route");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  @Override
  public String toString() {
    return kind.label() + " " + target + (detail.isEmpty() ? "" : ": " + detail);
  }
}
