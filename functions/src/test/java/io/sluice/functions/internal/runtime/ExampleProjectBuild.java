package io.sluice.functions.internal.runtime;

import io.sluice.avro.InferenceRequest;
import io.sluice.common.config.ConfigDef;
import io.sluice.functions.FunctionProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Builds {@code examples/functions} as a user would, with the Maven wrapper in a child process,
 * against the Sluice jars this test itself runs on.
 *
 * <p>The example depends on {@code io.sluice:sluice-functions} ({@code provided}); the build never
 * installs Sluice into {@code ~/.m2}, and whatever a past session left there may be stale. So the
 * child Maven gets a fresh local repository holding only this build's Sluice artifacts (the four
 * POMs the SPI's dependency tree reads and the three jars), chained in front of the real local
 * repository ({@code maven.repo.local.tail}, read-only) for everything else: no download, no write
 * outside the temporary folder, and no stale Sluice.
 */
final class ExampleProjectBuild {
  private static final Pattern SLUICE_VERSION =
      Pattern.compile("<sluice\\.version>([^<]+)</sluice\\.version>");

  /**
   * For Maven's JVM and the example's test JVM: short-lived, so the C1 compiler alone. Measured on
   * the shared 2-core box at load ~9: 24-25 s without, 5 s with.
   */
  private static final String QUICK_JVM = "-XX:TieredStopAtLevel=1";

  /** The build's outcome: the jar, how long it took, the log. */
  record Result(Path jar, Path project, long millis, Path log) {}

  private ExampleProjectBuild() {}

  static Path root() {
    return Path.of(System.getProperty("sluice.root", "..")).toAbsolutePath().normalize();
  }

  /** The Sluice version of this build (failsafe passes it; a bare IDE run reads the pom). */
  static String sluiceVersion() throws IOException {
    String v = System.getProperty("sluice.version");
    if (v != null) {
      return v;
    }
    Matcher m =
        Pattern.compile("<artifactId>sluice-parent</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(Files.readString(root().resolve("functions/pom.xml")));
    if (!m.find()) {
      throw new IllegalStateException("no parent version in functions/pom.xml");
    }
    return m.group(1);
  }

  /** The {@code sluice.version} the example's pom names. */
  static String exampleSluiceVersion() throws IOException {
    Matcher m =
        SLUICE_VERSION.matcher(Files.readString(root().resolve("examples/functions/pom.xml")));
    if (!m.find()) {
      throw new IllegalStateException("examples/functions/pom.xml sets no <sluice.version>");
    }
    return m.group(1);
  }

  /** Copies the example into {@code work}, builds it ({@code package}, its test included). */
  static Result build(Path work) throws Exception {
    String version = sluiceVersion();
    Path project = work.resolve("example");
    copyProject(root().resolve("examples/functions"), project);
    Path head = seed(work.resolve("repository"), version);
    Path tail =
        Path.of(
            System.getProperty(
                "sluice.local-repository",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString()));
    Path log = Path.of("target", "example-functions-build.log").toAbsolutePath();
    Files.createDirectories(log.getParent());
    List<String> command =
        List.of(
            root().resolve("mvnw").toString(),
            "-B",
            "-nsu",
            "-Dmaven.repo.local=" + head,
            "-Dmaven.repo.local.tail=" + tail,
            "-Dsluice.version=" + version,
            "-DargLine=" + QUICK_JVM,
            "-f",
            project.resolve("pom.xml").toString(),
            "package");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(project.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    String opts = pb.environment().getOrDefault("MAVEN_OPTS", "");
    pb.environment().put("MAVEN_OPTS", (opts + " " + QUICK_JVM).strip());
    long t0 = System.nanoTime();
    Process maven = pb.start();
    if (!maven.waitFor(3, TimeUnit.MINUTES)) {
      maven.destroyForcibly();
      throw new IllegalStateException("the example's Maven build took over 3 minutes; " + log);
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    if (maven.exitValue() != 0) {
      List<String> lines = Files.readAllLines(log);
      throw new IllegalStateException(
          "the example's Maven build failed (exit "
              + maven.exitValue()
              + "; "
              + log
              + "):\n"
              + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
    }
    Path jar = project.resolve("target/sluice-example-functions-0.1.0.jar");
    return new Result(jar, project, millis, log);
  }

  private static void copyProject(Path from, Path to) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(from)) {
      files =
          walk.filter(Files::isRegularFile)
              .filter(p -> !from.relativize(p).startsWith("target"))
              .toList();
    }
    for (Path f : files) {
      Path dest = to.resolve(from.relativize(f).toString());
      Files.createDirectories(dest.getParent());
      Files.copy(f, dest);
    }
  }

  /** A local repository with this build's sluice-parent, -schemas, -common and -functions. */
  private static Path seed(Path repo, String version) throws Exception {
    put(repo, "sluice-parent", version, root().resolve("pom.xml"), null);
    put(repo, "sluice-schemas", version, root().resolve("schemas/pom.xml"), InferenceRequest.class);
    put(repo, "sluice-common", version, root().resolve("common/pom.xml"), ConfigDef.class);
    put(
        repo,
        "sluice-functions",
        version,
        root().resolve("functions/pom.xml"),
        FunctionProvider.class);
    return repo;
  }

  private static void put(Path repo, String artifact, String version, Path pom, Class<?> inJar)
      throws Exception {
    Path dir = repo.resolve("io/sluice/" + artifact + "/" + version);
    Files.createDirectories(dir);
    Files.copy(pom, dir.resolve(artifact + "-" + version + ".pom"));
    if (inJar != null) {
      Path location = Path.of(inJar.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path jar = dir.resolve(artifact + "-" + version + ".jar");
      if (Files.isDirectory(location)) {
        jarUp(location, jar); // target/classes, when the module was not packaged
      } else {
        Files.copy(location, jar);
      }
    }
  }

  private static void jarUp(Path classes, Path jar) throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(classes)) {
      walk.filter(Files::isRegularFile).sorted().forEach(files::add);
    }
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream j = new JarOutputStream(out)) {
      for (Path f : files) {
        j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        j.write(Files.readAllBytes(f));
        j.closeEntry();
      }
    }
  }
}
