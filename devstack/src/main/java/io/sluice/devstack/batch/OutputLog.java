package io.sluice.devstack.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The output file of {@code sluice batch run}: one JSON line per answered input line, appended as
 * each answer arrives and handed to the operating system at once (no user-space buffer), so a
 * Ctrl-C or a kill loses nothing already written. A crash can only cut the last line short; {@link
 * #openForResume} drops such a tail before appending, so the file stays valid JSONL.
 */
public final class OutputLog implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final FileChannel channel;
  private final Map<String, Boolean> answered;
  private final long truncatedBytes;

  private OutputLog(
      Path file, FileChannel channel, Map<String, Boolean> answered, long truncatedBytes) {
    this.file = file;
    this.channel = channel;
    this.answered = answered;
    this.truncatedBytes = truncatedBytes;
  }

  /**
   * A new output file.
   *
   * @throws BatchInputException when the file exists (a rerun must say {@code --resume})
   */
  public static OutputLog create(Path file) throws IOException {
    if (Files.exists(file)) {
      throw new BatchInputException(
          "output file "
              + file
              + " exists: pass --resume to skip the custom_ids it already answers and append the"
              + " rest, or choose another -o");
    }
    FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    return new OutputLog(file, ch, Map.of(), 0);
  }

  /**
   * An existing output file (or a new one if there is none) opened to append: its complete lines
   * give the custom_ids already answered; a last line without its newline (the run was killed while
   * writing it) is cut off, and that line's custom_id is sent again.
   *
   * @throws BatchInputException naming the line when a complete line is not an output line
   */
  public static OutputLog openForResume(Path file) throws IOException {
    if (!Files.exists(file)) {
      FileChannel ch =
          FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      return new OutputLog(file, ch, Map.of(), 0);
    }
    byte[] bytes = Files.readAllBytes(file);
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] != '\n') {
      end--;
    }
    Map<String, Boolean> answered = scan(file, new String(bytes, 0, end, StandardCharsets.UTF_8));
    FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
    ch.truncate(end);
    ch.position(end);
    return new OutputLog(file, ch, answered, bytes.length - end);
  }

  /** custom_id to whether its line records a failure; a repeated custom_id keeps its first line. */
  private static Map<String, Boolean> scan(Path file, String complete) {
    Map<String, Boolean> ids = new LinkedHashMap<>();
    int lineNo = 0;
    for (String line : complete.split("\n", -1)) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      JsonNode n;
      try {
        n = JSON.readTree(line);
      } catch (IOException e) {
        throw new BatchInputException(
            file
                + " line "
                + lineNo
                + ": not JSON, so not a line this command wrote; cannot resume");
      }
      JsonNode id = n == null ? null : n.get("custom_id");
      if (id == null || !id.isTextual()) {
        throw new BatchInputException(
            file + " line " + lineNo + ": no custom_id, so not a batch output line; cannot resume");
      }
      ids.putIfAbsent(id.asText(), isFailure(n));
    }
    return ids;
  }

  /**
   * Whether an output line records a failure: an {@code error}, or a status code other than 2xx.
   */
  static boolean isFailure(JsonNode line) {
    JsonNode error = line.get("error");
    if (error != null && !error.isNull()) {
      return true;
    }
    JsonNode status = line.path("response").path("status_code");
    return status.isInt() && (status.asInt() < 200 || status.asInt() >= 300);
  }

  /**
   * The custom_ids the file answered before this run, each with whether its line records a failure
   * (an {@code error}, or a status code other than 2xx).
   */
  public Map<String, Boolean> answeredBefore() {
    return java.util.Collections.unmodifiableMap(answered);
  }

  /** Bytes of a cut-off last line that {@link #openForResume} dropped (0 if none). */
  public long truncatedBytes() {
    return truncatedBytes;
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /**
   * Appends one line (a newline is added) in a single write, straight to the operating system. Safe
   * to call from several threads.
   */
  public synchronized void append(String jsonLine) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap((jsonLine + "\n").getBytes(StandardCharsets.UTF_8));
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
  }

  /** Forces what was written to the disk and closes the file. */
  @Override
  public synchronized void close() throws IOException {
    if (channel.isOpen()) {
      channel.force(true);
      channel.close();
    }
  }
}
