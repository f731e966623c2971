package io.sluice.devstack.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sluice batch submit|status|cancel|download}: the bridge's OpenAI-shaped Batch API, for
 * users who reach Sluice over HTTP only.
 */
final class BatchApiCommands {
  /** Exit code: the server refused the call or could not be reached. */
  static final int EXIT_API = 1;

  /** Exit code: a bad local file or option. */
  static final int EXIT_BAD_INPUT = 3;

  private static final ObjectMapper JSON = new ObjectMapper();

  private BatchApiCommands() {}

  /** The options every HTTP command shares. */
  static final class Connection {
    @Option(
        names = "--url",
        defaultValue = "${env:SLUICE_BRIDGE_URL:-http://localhost:8080}",
        description = "The bridge's base URL (env SLUICE_BRIDGE_URL). Default: ${DEFAULT-VALUE}.")
    String url;

    @Option(
        names = "--api-key",
        defaultValue = "${env:SLUICE_API_KEY}",
        description = "Bearer API key, if the bridge asks for one (env SLUICE_API_KEY).")
    String apiKey;

    BatchApiClient client() {
      return new BatchApiClient(url, apiKey);
    }
  }

  /** Runs an API call, turning failures into a message and an exit code. */
  interface ApiBody {
    int run(BatchApiClient api, PrintWriter out) throws IOException;
  }

  static int run(CommandSpec spec, Connection c, ApiBody body) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (BatchApiClient api = c.client()) {
      return body.run(api, out);
    } catch (BatchInputException e) {
      err.println(e.getMessage());
      return EXIT_BAD_INPUT;
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return EXIT_BAD_INPUT;
    } catch (IOException e) {
      err.println(c.url + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return EXIT_API;
    } finally {
      out.flush();
      err.flush();
    }
  }

  @Command(
      name = "submit",
      mixinStandardHelpOptions = true,
      description = {
        "Upload a batch input file (POST /v1/files, purpose=batch) and create a batch from it"
            + " (POST /v1/batches). Prints the batch id alone on stdout:"
            + " ID=$(sluice batch submit -i in.jsonl).",
        "Exit codes: 0 created, 1 the bridge refused or could not be reached, 3 a bad -i file."
      })
  static final class Submit implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin Connection connection = new Connection();

    @Option(
        names = {"-i", "--input"},
        required = true,
        paramLabel = "FILE",
        description = "Batch input file (JSONL: custom_id, method, url, body).")
    Path input;

    @Option(
        names = "--endpoint",
        description =
            "The batch's endpoint: /v1/chat/completions, /v1/completions or /v1/apps/{app}/infer."
                + " Default: the url of the file's lines (they must all have the same one).")
    String endpoint;

    @Option(
        names = "--window",
        defaultValue = "24h",
        description = "completion_window. Default: ${DEFAULT-VALUE}.")
    String window;

    @Option(
        names = "--metadata",
        paramLabel = "KEY=VALUE",
        description = "Batch metadata (repeatable).")
    Map<String, String> metadata = new LinkedHashMap<>();

    @Override
    public Integer call() {
      return run(
          spec,
          connection,
          (api, out) -> {
            String ep = endpoint == null ? endpointOf(input) : endpoint;
            JsonNode file = api.uploadFile(input);
            String fileId = file.path("id").asText();
            JsonNode batch = api.createBatch(fileId, ep, window, metadata);
            PrintWriter err = spec.commandLine().getErr();
            err.println(
                "uploaded "
                    + input
                    + " as "
                    + fileId
                    + "; batch "
                    + batch.path("id").asText()
                    + " is "
                    + batch.path("status").asText()
                    + " (sluice batch status "
                    + batch.path("id").asText()
                    + ")");
            err.flush();
            out.println(batch.path("id").asText());
            return 0;
          });
    }
  }

  /**
   * The one {@code url} of a batch file's lines, which OpenAI requires to equal the batch's
   * endpoint.
   *
   * @throws BatchInputException when lines disagree, no line has one, or the file is empty
   */
  static String endpointOf(Path input) throws IOException {
    Set<String> urls = new LinkedHashSet<>();
    int lineNo = 0;
    try (BufferedReader r = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode n;
        try {
          n = JSON.readTree(line);
        } catch (IOException e) {
          throw new BatchInputException(input + " line " + lineNo + ": not JSON");
        }
        JsonNode url = n == null ? null : n.get("url");
        if (url == null || !url.isTextual()) {
          throw new BatchInputException(input + " line " + lineNo + ": no \"url\"");
        }
        urls.add(url.asText());
      }
    }
    if (urls.isEmpty()) {
      throw new BatchInputException(input + ": no lines");
    }
    if (urls.size() > 1) {
      throw new BatchInputException(
          input + ": lines name several urls " + urls + "; a batch has one endpoint (--endpoint)");
    }
    return urls.iterator().next();
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = {
        "Show a batch (GET /v1/batches/{id}): status, request counts with a progress bar, files"
            + " and errors.",
        "Exit codes: 0 shown, 1 the bridge refused (unknown id) or could not be reached."
      })
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin Connection connection = new Connection();

    @Parameters(paramLabel = "ID", description = "The batch id (batch_...).")
    String id;

    @Option(names = "--json", description = "Print the batch object as the bridge sent it.")
    boolean json;

    @Override
    public Integer call() {
      return run(
          spec,
          connection,
          (api, out) -> {
            JsonNode b = api.batch(id);
            out.print(json ? b.toPrettyString() + "\n" : describe(b));
            return 0;
          });
    }
  }

  @Command(
      name = "cancel",
      mixinStandardHelpOptions = true,
      description = {
        "Cancel a batch (POST /v1/batches/{id}/cancel): lines not sent yet are not sent; lines"
            + " answered stay in its output file.",
        "Exit codes: 0 cancelling/cancelled, 1 the bridge refused or could not be reached."
      })
  static final class Cancel implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin Connection connection = new Connection();

    @Parameters(paramLabel = "ID", description = "The batch id (batch_...).")
    String id;

    @Override
    public Integer call() {
      return run(
          spec,
          connection,
          (api, out) -> {
            JsonNode b = api.cancel(id);
            out.println(b.path("id").asText(id) + ": " + b.path("status").asText());
            return 0;
          });
    }
  }

  @Command(
      name = "download",
      mixinStandardHelpOptions = true,
      description = {
        "Download a batch's output file (GET /v1/files/{output_file_id}/content) and, with"
            + " --errors, its error file.",
        "Exit codes: 0 written, 1 the bridge refused or could not be reached, 3 the batch has no"
            + " output file yet or -o exists (without --force)."
      })
  static final class Download implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin Connection connection = new Connection();

    @Parameters(paramLabel = "ID", description = "The batch id (batch_...).")
    String id;

    @Option(
        names = {"-o", "--output"},
        required = true,
        paramLabel = "FILE",
        description = "Where to write the output file.")
    Path output;

    @Option(
        names = "--errors",
        paramLabel = "FILE",
        description = "Where to write the error file (lines that failed), if the batch has one.")
    Path errors;

    @Option(names = "--force", description = "Overwrite -o / --errors if they exist.")
    boolean force;

    @Override
    public Integer call() {
      return run(
          spec,
          connection,
          (api, out) -> {
            refuseExisting(output);
            refuseExisting(errors);
            JsonNode b = api.batch(id);
            String status = b.path("status").asText();
            String outId = text(b, "output_file_id");
            String errId = text(b, "error_file_id");
            if (outId == null && (errors == null || errId == null)) {
              throw new BatchInputException(
                  id
                      + " is "
                      + status
                      + " and has no output file yet"
                      + (errId != null ? " (it has an error file: --errors FILE)" : "")
                      + "; see sluice batch status "
                      + id);
            }
            if (outId != null) {
              long n = api.download(outId, output);
              out.println("wrote " + output + " (" + n + " bytes, file " + outId + ")");
            }
            if (errors != null) {
              if (errId == null) {
                out.println(id + " has no error file (no line failed)");
              } else {
                long n = api.download(errId, errors);
                out.println("wrote " + errors + " (" + n + " bytes, file " + errId + ")");
              }
            } else if (errId != null) {
              out.println(
                  "lines failed: their errors are in file " + errId + " (--errors FILE to get it)");
            }
            return 0;
          });
    }

    private void refuseExisting(Path p) {
      if (p != null && !force && Files.exists(p)) {
        throw new BatchInputException(p + " exists: --force to overwrite it");
      }
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
  }

  /** The text {@code sluice batch status} prints for a batch object. */
  static String describe(JsonNode b) {
    StringBuilder sb = new StringBuilder();
    sb.append(b.path("id").asText())
        .append(": ")
        .append(b.path("status").asText())
        .append(" (endpoint ")
        .append(b.path("endpoint").asText())
        .append(", window ")
        .append(b.path("completion_window").asText())
        .append(")\n");
    JsonNode counts = b.path("request_counts");
    long total = counts.path("total").asLong();
    long completed = counts.path("completed").asLong();
    long failed = counts.path("failed").asLong();
    sb.append(Progress.bar(completed + failed, total))
        .append(" | completed ")
        .append(completed)
        .append(" | failed ")
        .append(failed)
        .append('\n');
    for (String[] t :
        new String[][] {
          {"created_at", "created"},
          {"in_progress_at", "in progress"},
          {"finalizing_at", "finalizing"},
          {"completed_at", "completed"},
          {"failed_at", "failed"},
          {"cancelling_at", "cancelling"},
          {"cancelled_at", "cancelled"},
          {"expired_at", "expired"},
          {"expires_at", "expires"}
        }) {
      JsonNode v = b.get(t[0]);
      if (v != null && v.canConvertToLong() && v.asLong() > 0) {
        sb.append("  ")
            .append(t[1])
            .append(": ")
            .append(Instant.ofEpochSecond(v.asLong()))
            .append('\n');
      }
    }
    for (String[] t :
        new String[][] {
          {"input_file_id", "input file"},
          {"output_file_id", "output file"},
          {"error_file_id", "error file"}
        }) {
      String v = text(b, t[0]);
      if (v != null) {
        sb.append("  ").append(t[1]).append(": ").append(v).append('\n');
      }
    }
    JsonNode errs = b.path("errors").path("data");
    if (errs.isArray() && !errs.isEmpty()) {
      sb.append("  errors:\n");
      for (JsonNode e : errs) {
        sb.append("    ");
        if (e.hasNonNull("line")) {
          sb.append("line ").append(e.get("line").asText()).append(": ");
        }
        sb.append(e.path("code").asText()).append(": ").append(e.path("message").asText());
        if (e.hasNonNull("param")) {
          sb.append(" (").append(e.get("param").asText()).append(')');
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }
}
