package io.sluice.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Grafana dashboard and the alert rules the chart ships: a ConfigMap for Grafana's sidecar and
 * a PrometheusRule, read from {@code sluice/files/dashboards/}, which must equal {@code
 * dashboards/} at the repository's root. Whether every query returns data is checked against a real
 * Prometheus by {@code dashboards/check.sh} (not in CI); here every metric the queries name must at
 * least be one the code defines.
 */
class DashboardsChartTest {

  private static final Path SOURCE = Path.of("../dashboards");
  private static final Path COPY = Path.of("sluice/files/dashboards");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** A Prometheus name as the queries use it: {@code sluice_..._bucket} and the like. */
  private static final Pattern METRIC = Pattern.compile("\\bsluice_[a-z_]+\\b");

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sluice.json", "sluice-alerts.yaml"})
  void theChartsCopyEqualsTheFileInDashboards(String file) throws IOException {
    // Helm reads only files inside the chart, so the chart holds a copy; edit dashboards/, then
    // cp dashboards/sluice.json dashboards/sluice-alerts.yaml helm/sluice/files/dashboards/
    assertThat(Files.readString(COPY.resolve(file)))
        .as("helm/sluice/files/dashboards/%s differs from dashboards/%s", file, file)
        .isEqualTo(Files.readString(SOURCE.resolve(file)));
  }

  @Test
  void theDashboardIsAConfigMapForGrafanasSidecarByDefaultWithEveryPanel() throws IOException {
    Rendered r = Chart.template(dir, "{}");

    JsonNode cm = r.get("ConfigMap", "sluice-dashboards");
    assertThat(cm.path("metadata").path("labels").path("grafana_dashboard").asText())
        .isEqualTo("1");
    JsonNode dashboard = JSON.readTree(cm.path("data").path("sluice.json").asText());
    assertThat(dashboard).isEqualTo(JSON.readTree(SOURCE.resolve("sluice.json").toFile()));
    assertThat(dashboard.path("schemaVersion").asInt()).isBetween(36, 41);
    assertThat(dashboard.path("uid").asText()).isEqualTo("sluice-overview");

    List<String> titles = new ArrayList<>();
    for (JsonNode p : dashboard.path("panels")) {
      if ("row".equals(p.path("type").asText())) {
        continue;
      }
      titles.add(p.path("title").asText());
      assertThat(p.path("datasource").path("uid").asText())
          .as(p.path("title").asText())
          .isEqualTo("${datasource}");
      assertThat(p.path("targets")).as(p.path("title").asText()).isNotEmpty();
      for (JsonNode t : p.path("targets")) {
        assertThat(t.path("expr").asText()).as(p.path("title").asText()).contains("sluice_");
      }
    }
    assertThat(titles)
        .contains(
            "Throughput per app",
            "Latency p50/p99 per app (bridge, HTTP request to reply)",
            "Pipeline latency p50/p99 per app",
            "Queue time p50/p99 per deployment",
            "Processing time p50/p99 per deployment",
            "Worker errors by code",
            "Dead letters",
            "Active replicas per deployment",
            "Replicas started in the last hour",
            "Consumer lag per deployment",
            "Batch sizes p50/p99 per deployment (router)",
            "In-flight requests at the bridge",
            "Pipeline runs ended by outcome",
            "Pipeline steps by outcome");
    JsonNode datasource = dashboard.path("templating").path("list").get(0);
    assertThat(datasource.path("name").asText()).isEqualTo("datasource");
    assertThat(datasource.path("type").asText()).isEqualTo("datasource");
    assertThat(datasource.path("query").asText()).isEqualTo("prometheus");

    assertThat(r.ofKind("PrometheusRule")).isEmpty();
    assertThat(Chart.template(dir, "dashboards:\n  enabled: false\n").names())
        .doesNotContain("ConfigMap/sluice-dashboards");
  }

  @Test
  void theAlertRulesAreAPrometheusRuleWhenEnabled() throws IOException {
    Rendered r =
        Chart.template(
            dir,
            """
            alerts:
              enabled: true
              labels:
                release: kube-prometheus-stack
            dashboards:
              annotations:
                grafana_folder: Sluice
            """);

    JsonNode rule = r.get("PrometheusRule", "sluice-alerts");
    assertThat(rule.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(rule.path("metadata").path("labels").path("release").asText())
        .isEqualTo("kube-prometheus-stack");
    JsonNode file = YAML.readTree(SOURCE.resolve("sluice-alerts.yaml").toFile());
    assertThat(rule.path("spec")).isEqualTo(file);
    List<String> alerts =
        StreamSupport.stream(rule.path("spec").path("groups").spliterator(), false)
            .flatMap(g -> StreamSupport.stream(g.path("rules").spliterator(), false))
            .map(a -> a.path("alert").asText())
            .toList();
    assertThat(alerts)
        .contains(
            "SluiceConsumerLagGrowing",
            "SluiceLagWithoutConsumers",
            "SluiceWorkerDeadLetters",
            "SluiceRouterDeadLetters",
            "SluiceErrorRatioHigh");
    // Alert templates ({{ $labels.x }}) reach Prometheus as written, not evaluated by Helm.
    assertThat(rule.toString()).contains("{{ $labels.deployment }}");
    assertThat(
            r.get("ConfigMap", "sluice-dashboards")
                .path("metadata")
                .path("annotations")
                .path("grafana_folder")
                .asText())
        .isEqualTo("Sluice");
  }

  @Test
  void replicaAndLagQueriesReadMetricsThatExistInACluster() throws IOException {
    JsonNode dashboard = JSON.readTree(SOURCE.resolve("sluice.json").toFile());
    JsonNode rules = YAML.readTree(SOURCE.resolve("sluice-alerts.yaml").toFile());
    List<String[]> queries = new ArrayList<>(); // {where, expression}
    for (JsonNode p : dashboard.path("panels")) {
      for (JsonNode t : p.path("targets")) {
        queries.add(new String[] {p.path("title").asText(), t.path("expr").asText()});
      }
    }
    for (JsonNode g : rules.path("groups")) {
      for (JsonNode a : g.path("rules")) {
        queries.add(new String[] {"alert " + a.path("alert").asText(), a.path("expr").asText()});
      }
    }

    // A dev-stack gauge alone would leave the panel or the alert empty in a cluster: each query
    // that reads one also reads what a cluster has (the workers' own metrics, kafka_exporter's).
    for (String[] q : queries) {
      if (q[1].contains("sluice_devstack_") && !q[0].endsWith("(dev stack)")) {
        assertThat(q[1])
            .as("%s reads only dev-stack metrics", q[0])
            .containsAnyOf("sluice_worker_", "kafka_consumergroup_lag");
      }
    }
    assertThat(expr(queries, "Active replicas per deployment"))
        .contains("sum by (deployment) (sluice_worker_up")
        .contains("count by (deployment) (sluice_worker_up")
        .doesNotContain("sluice_devstack_replicas");
    assertThat(expr(queries, "Replicas started in the last hour"))
        .contains("sluice_worker_start_time_seconds");
    assertThat(expr(queries, "alert SluiceLagWithoutConsumers"))
        .contains("unless on (deployment)")
        .contains("sum by (deployment) (sluice_worker_up) > 0")
        .contains("kafka_consumergroup_lag")
        .doesNotContain("sluice_devstack_replicas");
    assertThat(expr(queries, "alert SluiceConsumerLagGrowing")).contains("kafka_consumergroup_lag");
  }

  private static String expr(List<String[]> queries, String where) {
    return queries.stream()
        .filter(q -> q[0].equals(where))
        .map(q -> q[1])
        .reduce((a, b) -> a + "\n" + b)
        .orElseThrow(() -> new AssertionError("no query in " + where));
  }

  @Test
  void everyMetricTheQueriesNameIsDefinedInTheCode() throws IOException {
    Set<String> used = new TreeSet<>();
    for (String file : List.of("sluice.json", "sluice-alerts.yaml")) {
      Matcher m = METRIC.matcher(Files.readString(SOURCE.resolve(file)));
      while (m.find()) {
        used.add(m.group());
      }
    }
    String code = mainSources();

    assertThat(used).hasSizeGreaterThan(15);
    for (String metric : used) {
      // Micrometer: sluice.worker.queue.latency (a Timer) is sluice_worker_queue_latency_seconds_*;
      // the dev stack's gauges are registered under their Prometheus names.
      String base =
          metric
              .replaceFirst("_(bucket|count|sum|max)$", "")
              .replaceFirst("_total$", "")
              .replaceFirst("_seconds$", "");
      List<String> names = List.of(metric, base, base.replace('_', '.'));
      assertThat(names.stream().anyMatch(n -> code.contains('"' + n + '"')))
          .as("%s: no meter named any of %s in */src/main/java", metric, names)
          .isTrue();
    }
  }

  private static String mainSources() {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.walk(Path.of(".."), 12)) {
      for (Path f :
          files
              .filter(f -> f.toString().endsWith(".java"))
              .filter(f -> f.toString().contains("/src/main/java/"))
              .toList()) {
        all.append(Files.readString(f));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return all.toString();
  }
}
