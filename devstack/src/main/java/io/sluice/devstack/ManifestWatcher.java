package io.sluice.devstack;

import io.sluice.manifest.InvalidManifestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the dev stack's manifest again when the file's content changes (checked every {@code
 * interval}; by content, not timestamps, so an editor's save-without-change does nothing). A file
 * that does not validate is reported and changes nothing: the stack keeps the last good manifest.
 */
final class ManifestWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ManifestWatcher.class);

  private final Path file;
  private final Runnable reload;
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "sluice-manifest-watcher");
            t.setDaemon(true);
            return t;
          });
  private byte[] lastDigest;

  ManifestWatcher(Path file, Runnable reload) {
    this.file = file;
    this.reload = reload;
    this.lastDigest = digest();
  }

  ManifestWatcher start(Duration interval) {
    // check() catches what a reload throws, so the schedule never ends with an exception to read.
    var unused =
        executor.scheduleWithFixedDelay(
            this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  private void check() {
    byte[] now = digest();
    if (now == null || Arrays.equals(now, lastDigest)) {
      return;
    }
    lastDigest = now;
    log.info("{} changed: applying it", file);
    try {
      reload.run();
    } catch (InvalidManifestException e) {
      log.error("{} not applied, the stack keeps the previous manifest. {}", file, e.getMessage());
    } catch (RuntimeException e) {
      log.error("{} could not be applied: {}", file, e.toString(), e);
    }
  }

  private byte[] digest() {
    try {
      return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    } catch (IOException e) {
      return null; // mid-save, or moved: look again at the next tick
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
