package io.sluice.manifest.cli;

import io.sluice.autoscaler.LagReader;
import io.sluice.autoscaler.LagSnapshot;
import io.sluice.autoscaler.PartitionOffsets;
import io.sluice.avro.RouteConfig;
import io.sluice.common.config.ConfigFlags;
import io.sluice.common.config.ConnectionKeys;
import io.sluice.manifest.InvalidManifestException;
import io.sluice.manifest.Manifest;
import io.sluice.manifest.ManifestLoader;
import io.sluice.manifest.apply.Applier;
import io.sluice.manifest.apply.Change;
import io.sluice.schemas.Topics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice status [-f sluice.yaml]}: apps and their route in force, deployments with their
 * partitions, lag and group members; with a manifest, also what {@code sluice apply} would change.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description =
        "Show apps (route in force), deployments (partitions, lag, consumer-group members) and,"
            + " with -f, what `sluice apply` would change.")
public final class StatusCommand implements Callable<Integer> {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  @Spec CommandSpec spec;
  @Mixin ConfigFlags config = new ConfigFlags();

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "A manifest to compare with (its deployments are listed even if idle).")
  Path file;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Manifest manifest = null;
    if (file != null) {
      try {
        manifest = ManifestLoader.load(file);
      } catch (InvalidManifestException e) {
        spec.commandLine().getErr().println(e.getMessage());
        return ApplyCommand.EXIT_INVALID_MANIFEST;
      }
    }
    Manifest m = manifest;
    return config.run(
        ConnectionKeys.definition(),
        c -> c,
        c -> {
          try (Applier applier = ApplyCommand.applier(c);
              Admin admin = Admin.create(ConnectionKeys.clientSettings(c))) {
            try {
              print(out, applier, admin, m);
            } catch (Exception e) {
              return ApplyCommand.loginFailure(e, spec.commandLine().getErr());
            }
          }
          out.flush();
          return 0;
        });
  }

  private static void print(PrintWriter out, Applier applier, Admin admin, Manifest m)
      throws Exception {
    Map<String, Integer> topics = applier.topics();
    Map<String, RouteConfig> routes = applier.routesInForce();
    Set<String> apps = new LinkedHashSet<>(routes.keySet());
    Set<String> deployments = new LinkedHashSet<>();
    if (m != null) {
      apps.addAll(m.apps().keySet());
      deployments.addAll(m.deployments().keySet());
    }
    for (RouteConfig r : routes.values()) {
      // A pipeline variant has no deployment of its own ("" on the wire): its steps' deployments
      // are the keys of the route's batching.
      r.getVariants().stream()
          .map(v -> v.getDeployment())
          .filter(d -> d != null && !d.isEmpty())
          .forEach(deployments::add);
      r.getShadows().stream()
          .map(s -> s.getDeployment())
          .filter(d -> d != null && !d.isEmpty())
          .forEach(deployments::add);
      deployments.addAll(r.getBatching().keySet());
    }

    out.println("APPS");
    out.printf("  %-20s %-10s %s%n", "APP", "PARTITIONS", "ROUTE IN FORCE");
    for (String app : apps) {
      RouteConfig r = routes.get(app);
      Integer partitions = topics.get(Topics.requests(app));
      out.printf(
          "  %-20s %-10s %s%n",
          app, partitions == null ? "missing" : partitions, r == null ? "(none)" : describe(r));
    }
    out.println();
    out.println("DEPLOYMENTS");
    out.printf(
        "  %-20s %-10s %-8s %-8s %s%n", "DEPLOYMENT", "PARTITIONS", "LAG", "MEMBERS", "GROUP");
    Map<String, ConsumerGroupDescription> groups =
        admin
            .describeConsumerGroups(deployments.stream().map(Topics::workerGroup).toList())
            .all()
            .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    try (LagReader lag = new LagReader(admin)) {
      for (String d : deployments) {
        String topic = Topics.batches(d);
        Integer partitions = topics.get(topic);
        String lagText = "-";
        if (partitions != null) {
          lagText = Long.toString(totalLag(lag.read(Topics.workerGroup(d), topic, TIMEOUT)));
        }
        ConsumerGroupDescription g = groups.get(Topics.workerGroup(d));
        out.printf(
            "  %-20s %-10s %-8s %-8s %s (%s)%n",
            d,
            partitions == null ? "missing" : partitions,
            lagText,
            g == null ? 0 : g.members().size(),
            Topics.workerGroup(d),
            g == null ? "none" : g.groupState().toString().toLowerCase(java.util.Locale.ROOT));
      }
    }
    if (m != null) {
      out.println();
      List<Change> pending = applier.plan(m);
      if (pending.isEmpty()) {
        out.println(m.file() + ": in force, nothing to apply");
      } else {
        out.println(
            m.file()
                + ": "
                + pending.size()
                + " change(s) pending; run sluice apply -f "
                + m.file());
        pending.forEach(ch -> out.println("  would " + ch));
      }
    }
  }

  private static long totalLag(LagSnapshot s) {
    long total = 0;
    for (PartitionOffsets p : s.partitions()) {
      long committed = p.committedOffset().orElse(0);
      total += Math.max(0, p.logEndOffset() - committed);
    }
    return total;
  }

  private static String describe(RouteConfig r) {
    StringBuilder sb = new StringBuilder();
    r.getVariants()
        .forEach(
            v ->
                sb.append(sb.length() == 0 ? "" : ", ")
                    .append(v.getName())
                    .append("=")
                    .append(
                        v.getPipeline() == null ? v.getDeployment() : "pipeline " + v.getPipeline())
                    .append(" (")
                    .append(v.getWeight())
                    .append(")"));
    r.getShadows()
        .forEach(
            s ->
                sb.append(", shadow ")
                    .append(
                        s.getPipeline() == null ? s.getDeployment() : "pipeline " + s.getPipeline())
                    .append(" ")
                    .append(s.getPercent())
                    .append("%"));
    return sb.toString();
  }
}
