package io.sluice.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Appends each catalogue case's outcome to {@code target/bad-input-catalogue.txt} as soon as it is
 * known. A bad input that takes the whole JVM down (an {@code OutOfMemoryError} in the in-process
 * router, say) loses the test report of the whole class; this ledger still says which cases passed
 * and failed before it.
 */
final class CatalogueLedger implements TestWatcher {
  private static final Path FILE = Path.of("target", "bad-input-catalogue.txt");

  @Override
  public void testSuccessful(ExtensionContext context) {
    write(context, "PASS", null);
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    write(context, "FAIL", cause);
  }

  @Override
  public void testAborted(ExtensionContext context, Throwable cause) {
    write(context, "ABORTED", cause);
  }

  @Override
  public void testDisabled(ExtensionContext context, Optional<String> reason) {
    write(context, "DISABLED", null);
  }

  private static void write(ExtensionContext context, String outcome, Throwable cause) {
    String why = cause == null ? "" : " | " + cause.toString().replace('\n', ' ');
    if (why.length() > 600) {
      why = why.substring(0, 600) + "...";
    }
    String line = Instant.now() + " " + outcome + " " + context.getDisplayName() + why + "\n";
    System.out.print("[catalogue] " + line);
    try {
      Files.createDirectories(FILE.getParent());
      Files.writeString(
          FILE, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
