package io.sluice.devstack.batch;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/** Parses {@code 500ms}, {@code 30s}, {@code 10m}, {@code 24h}, or ISO {@code PT30S}. */
final class DurationText implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.startsWith("pt")) {
        return Duration.parse(v.toUpperCase(Locale.ROOT));
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      long unit =
          switch (v.isEmpty() ? ' ' : v.charAt(v.length() - 1)) {
            case 's' -> 1_000;
            case 'm' -> 60_000;
            case 'h' -> 3_600_000;
            default -> throw new IllegalArgumentException(value);
          };
      double n = Double.parseDouble(v.substring(0, v.length() - 1));
      if (n < 0) {
        throw new IllegalArgumentException(value);
      }
      return Duration.ofMillis(Math.round(n * unit));
    } catch (RuntimeException e) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a duration: use e.g. 500ms, 30s, 10m, 24h or PT30S");
    }
  }
}
