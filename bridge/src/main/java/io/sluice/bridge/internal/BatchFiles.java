package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * Files of the batch API ({@code /v1/files}) on {@code sluice.batch.files}: the metadata record is
 * OpenAI's file object plus a {@code sluice} section (owner key fingerprint, chunk count,
 * partition, lines) that is never shown; content is read back from the chunks' offsets.
 */
final class BatchFiles {
  private BatchFiles() {}

  /** A new file object, as OpenAI shows it. */
  static ObjectNode meta(
      String id, String filename, String purpose, long bytes, long createdSec, String owner) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("id", id);
    o.put("object", "file");
    o.put("bytes", bytes);
    o.put("created_at", createdSec);
    o.put("filename", filename);
    o.put("purpose", purpose);
    o.put("status", "processed");
    o.putNull("status_details");
    o.putObject("sluice").put("owner", owner).put("created_ms", System.currentTimeMillis());
    return o;
  }

  /** OpenAI's file object of a record (without the {@code sluice} section). */
  static JsonNode publicView(ObjectNode meta) {
    ObjectNode o = meta.deepCopy();
    o.remove("sluice");
    return o;
  }

  static String owner(ObjectNode meta) {
    return meta.path("sluice").path("owner").asText();
  }

  /** A file's content as text, or null if the file or a chunk is not (or no longer) there. */
  static String content(BatchTable files, BatchStore store, String fileId) {
    byte[] b = bytes(files, store, fileId);
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  /** A file's content, or null if the file or a chunk is not (or no longer) there. */
  static byte[] bytes(BatchTable files, BatchStore store, String fileId) {
    ObjectNode meta = files.get(fileId);
    if (meta == null) {
      return null;
    }
    int chunks = meta.path("sluice").path("chunks").asInt();
    long[] offsets = new long[chunks];
    int partition = meta.path("sluice").path("partition").asInt();
    for (int i = 0; i < chunks; i++) {
      BatchTable.Entry e = files.entry(fileId + "/" + i);
      if (e == null) {
        return null;
      }
      offsets[i] = e.offset();
    }
    return store.read(partition, offsets);
  }

  /** Writes a result file (a redo with the same id replaces it). */
  static void write(
      BatchStore store,
      BatchTable files,
      String id,
      String filename,
      String purpose,
      String owner,
      String content)
      throws Exception {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    ObjectNode meta =
        meta(id, filename, purpose, b.length, System.currentTimeMillis() / 1000, owner);
    meta.withObject("sluice")
        .put("lines", content.isEmpty() ? 0 : content.split("\n", -1).length - 1);
    store.putFile(id, meta, b);
  }
}
