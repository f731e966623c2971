package io.sluice.functions.worker;

import io.sluice.functions.FunctionProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Builds what a user hands to {@code --functions}: Java sources compiled against this module's
 * class path (javax.tools), then class directories or jars with a {@code META-INF/services} file.
 */
final class ProviderJars {
  static final String SERVICES = "META-INF/services/" + FunctionProvider.class.getName();

  private ProviderJars() {}

  /** A provider class {@code pkg.Provider} named {@code name}, whose function echoes the text. */
  static String echoProvider(String pkg, String name) {
    return """
        package %1$s;

        import io.sluice.functions.Batch;
        import io.sluice.functions.FunctionProvider;
        import io.sluice.functions.ItemResult;
        import io.sluice.functions.SluiceFunction;

        public final class Provider implements FunctionProvider {
          public String name() { return "%2$s"; }

          public SluiceFunction create() {
            return batch -> batch.map(r -> ItemResult.json(
                "{\\"function\\":\\"%2$s\\",\\"from\\":\\"%1$s\\",\\"text\\":" + Batch.text(r) + "}"));
          }
        }
        """
        .formatted(pkg, name);
  }

  /** Compiles {@code sources} (class name to source) into {@code out}; fails on any error. */
  static Path compile(Map<String, String> sources, Path out) throws IOException {
    Path src = Files.createTempDirectory(out.getParent(), "src");
    List<Path> files = new ArrayList<>();
    for (Map.Entry<String, String> e : sources.entrySet()) {
      Path f = src.resolve(e.getKey().replace('.', '/') + ".java");
      Files.createDirectories(f.getParent());
      Files.writeString(f, e.getValue());
      files.add(f);
    }
    Files.createDirectories(out);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    try (StandardJavaFileManager fm = javac.getStandardFileManager(null, null, null)) {
      Iterable<? extends JavaFileObject> units = fm.getJavaFileObjectsFromPaths(files);
      List<String> options = List.of("-proc:none", "-classpath", classPath(), "-d", out.toString());
      boolean ok = javac.getTask(diagnostics, fm, null, options, null, units).call();
      if (!ok) {
        throw new IllegalStateException("test sources do not compile:\n" + diagnostics);
      }
    }
    return out;
  }

  /** Lists {@code providers} in the services file of a class directory. */
  static Path withServices(Path classes, String... providers) throws IOException {
    Path services = classes.resolve(SERVICES);
    Files.createDirectories(services.getParent());
    Files.writeString(services, String.join("\n", providers) + "\n");
    return classes;
  }

  /**
   * A jar of the classes under {@code classes} whose names start with {@code prefix} (a package
   * path such as {@code "a/"}), with a services file listing {@code providers} if any are given.
   */
  static Path jar(Path jar, Path classes, String prefix, String... providers) throws IOException {
    Files.createDirectories(jar.getParent());
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file);
        Stream<Path> walk = Files.walk(classes)) {
      for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
        String name = classes.relativize(p).toString().replace('\\', '/');
        if (name.startsWith(prefix)) {
          out.putNextEntry(new JarEntry(name));
          out.write(Files.readAllBytes(p));
          out.closeEntry();
        }
      }
      if (providers.length > 0) {
        out.putNextEntry(new JarEntry(SERVICES));
        out.write((String.join("\n", providers) + "\n").getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return jar;
  }

  /** The test class path (Surefire's, when it hides it behind a manifest-only jar). */
  private static String classPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank()
        ? surefire
        : System.getProperty("java.class.path");
  }
}
