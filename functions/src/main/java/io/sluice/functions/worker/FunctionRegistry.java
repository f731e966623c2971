package io.sluice.functions.worker;

import io.sluice.functions.FunctionProvider;
import io.sluice.functions.SluiceFunction;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Functions by name, found with {@link ServiceLoader} ({@link FunctionProvider}, listed in {@code
 * META-INF/services/io.sluice.functions.FunctionProvider}): Sluice's own ({@code llm}, {@code
 * preprocess}, {@code sentiment}, {@code summarize}) and, with {@link #load(List)}, a user's from
 * jars or directories outside Sluice ({@code sluice worker --functions PATH}). A worker creates the
 * function its {@code sluice.worker.function} names.
 *
 * <pre>{@code
 * try (FunctionRegistry registry = FunctionRegistry.load(List.of(Path.of("my-functions.jar")))) {
 *   registry.names();                 // [llm, my-function, preprocess, sentiment, summarize]
 *   registry.origin("my-function");   // com.example.MyProvider from /path/to/my-functions.jar
 *   SluiceFunction f = registry.create("my-function");
 *   ...
 * } // closes the user functions' class loader: close it after the functions it created
 * }</pre>
 *
 * <p>A user's classes get their own class loader whose parent is Sluice's: the SPI types (and
 * anything else on Sluice's class path) are Sluice's own, whatever a jar bundles. Two functions of
 * one name, a user's or a built-in, fail the load, naming both classes and where each came from.
 */
public final class FunctionRegistry implements AutoCloseable {
  private final Map<String, Found> providers;
  private final URLClassLoader userLoader;

  /**
   * A provider and where its class came from.
   *
   * @param origin "class from where", for messages
   * @param entry the path entry holding the class, or null for Sluice's own class path
   */
  private record Found(FunctionProvider provider, String origin, Entry entry) {}

  private FunctionRegistry(Map<String, Found> providers, URLClassLoader userLoader) {
    this.providers = providers;
    this.userLoader = userLoader;
  }

  /** Every provider visible to the class loader; two providers of one name is an error. */
  public static FunctionRegistry load(ClassLoader loader) {
    return new FunctionRegistry(discover(loader, null, List.of()), null);
  }

  /** Every provider visible to this class's class loader: Sluice's own functions. */
  public static FunctionRegistry load() {
    return load(FunctionRegistry.class.getClassLoader());
  }

  /**
   * Sluice's own functions plus those in {@code functionPath}, loaded on a class loader of their
   * own whose parent is Sluice's. Each entry is a jar, a directory of jars (each {@code .jar}
   * directly in it: a function's jar with the libraries it needs), or a directory of classes (a
   * build's {@code target/classes}); each must hold at least one provider. An empty list is {@link
   * #load()}. Close the registry once the functions it created are closed.
   *
   * @throws FunctionLoadException naming the path or the classes: a missing path, a file that is
   *     not a jar, a path without providers, a provider that cannot be loaded, two of one name
   */
  public static FunctionRegistry load(List<Path> functionPath) {
    if (functionPath.isEmpty()) {
      return load();
    }
    List<Entry> entries = new ArrayList<>();
    List<URL> urls = new ArrayList<>();
    for (Path p : functionPath) {
      Entry e = Entry.of(p);
      entries.add(e);
      for (Path root : e.roots()) {
        urls.add(url(root));
      }
    }
    URLClassLoader loader =
        new URLClassLoader(
            "sluice-user-functions",
            urls.toArray(new URL[0]),
            FunctionRegistry.class.getClassLoader());
    try {
      Map<String, Found> found = discover(loader, loader, entries);
      for (Entry e : entries) {
        if (found.values().stream().noneMatch(f -> e.equals(f.entry()))) {
          throw new FunctionLoadException(
              "no function found in "
                  + e.describe()
                  + ": a function jar lists its providers in"
                  + " META-INF/services/"
                  + FunctionProvider.class.getName());
        }
      }
      return new FunctionRegistry(found, loader);
    } catch (RuntimeException | Error e) {
      closeQuietly(loader, e);
      throw e;
    }
  }

  /**
   * A path list as {@code --functions} takes it: entries separated by {@code File.pathSeparator}.
   */
  public static List<Path> parsePath(String pathList) {
    List<Path> out = new ArrayList<>();
    for (String s : pathList.split(File.pathSeparator, -1)) {
      if (!s.isBlank()) {
        out.add(Path.of(s.trim()));
      }
    }
    return List.copyOf(out);
  }

  /** The names of every function found, sorted. */
  public Set<String> names() {
    return Collections.unmodifiableSet(providers.keySet());
  }

  /**
   * Where a function comes from, e.g. {@code com.example.MyProvider from /path/my-functions.jar}.
   */
  public String origin(String name) {
    return found(name).origin();
  }

  /** A new instance of the named function. */
  public SluiceFunction create(String name) {
    return found(name).provider().create();
  }

  private Found found(String name) {
    Found f = providers.get(name);
    if (f == null) {
      throw new IllegalArgumentException(
          "no function named '" + name + "'; known functions: " + providers.keySet());
    }
    return f;
  }

  /**
   * Closes the class loader of the user's functions, if there is one. Functions already created
   * keep the classes they loaded, but may fail to load new ones: close it after them.
   */
  @Override
  public void close() {
    if (userLoader != null) {
      try {
        userLoader.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot close the user functions' class loader", e);
      }
    }
  }

  private static Map<String, Found> discover(
      ClassLoader loader, ClassLoader userLoader, List<Entry> entries) {
    Map<String, Found> byName = new TreeMap<>();
    try {
      for (FunctionProvider p : ServiceLoader.load(FunctionProvider.class, loader)) {
        Found f = located(p, userLoader, entries);
        String name = p.name();
        if (name == null || name.isBlank()) {
          throw new FunctionLoadException("the function provider " + f.origin() + " has no name");
        }
        Found previous = byName.putIfAbsent(name, f);
        if (previous != null) {
          throw new FunctionLoadException(
              "two functions named '"
                  + name
                  + "': "
                  + previous.origin()
                  + " and "
                  + f.origin()
                  + "; rename one (FunctionProvider.name()) or drop one from the path");
        }
      }
    } catch (ServiceConfigurationError e) {
      throw new FunctionLoadException(
          "a function provider could not be loaded"
              + (entries.isEmpty() ? "" : " from " + describe(entries))
              + ": "
              + e.getMessage(),
          e);
    }
    return byName;
  }

  /** The provider with its origin: the user's path entry that holds it, or Sluice's class path. */
  private static Found located(FunctionProvider p, ClassLoader userLoader, List<Entry> entries) {
    Class<?> c = p.getClass();
    Path location = location(c);
    if (userLoader != null && c.getClassLoader() == userLoader && location != null) {
      for (Entry e : entries) {
        if (e.roots().contains(location)) {
          return new Found(p, c.getName() + " from " + e.describe(), e);
        }
      }
    }
    String where = location == null ? "" : " (" + location + ")";
    return new Found(p, c.getName() + " from Sluice's class path" + where, null);
  }

  private static Path location(Class<?> c) {
    CodeSource source = c.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return null;
    }
    try {
      return Path.of(source.getLocation().toURI()).toAbsolutePath().normalize();
    } catch (URISyntaxException | RuntimeException e) {
      return null; // not a file location (a custom class loader): messages say less, that is all
    }
  }

  private static String describe(List<Entry> entries) {
    return String.join(", ", entries.stream().map(Entry::describe).toList());
  }

  private static URL url(Path root) {
    try {
      return root.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new FunctionLoadException("not a usable path: " + root, e);
    }
  }

  private static void closeQuietly(URLClassLoader loader, Throwable failure) {
    try {
      loader.close();
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * One entry of the path as given, and the class path roots it stands for.
   *
   * @param given the entry as the user wrote it
   * @param roots absolute, normalised: the jar, the jars of a directory, or the class directory
   */
  private record Entry(Path given, List<Path> roots) {
    static Entry of(Path given) {
      Path p = given.toAbsolutePath().normalize();
      String where = describe(given, p);
      if (!Files.exists(p)) {
        throw new FunctionLoadException("function path " + where + ": no such file or directory");
      }
      if (Files.isDirectory(p)) {
        List<Path> jars;
        try (Stream<Path> files = Files.list(p)) {
          jars = files.filter(Entry::isJarName).filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
          throw new FunctionLoadException("function path " + where + ": cannot list it: " + e, e);
        }
        jars.forEach(j -> checkJar(j, where));
        // A directory holding jars is a directory of jars; any other one holds classes.
        return new Entry(given, jars.isEmpty() ? List.of(p) : jars);
      }
      checkJar(p, where);
      return new Entry(given, List.of(p));
    }

    private static boolean isJarName(Path p) {
      return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jar");
    }

    private static void checkJar(Path jar, String where) {
      try (JarFile file = new JarFile(jar.toFile())) {
        file.size(); // it opens as a jar: that is all a class loader needs to know here
      } catch (IOException e) {
        String which = jar.toString().equals(where) ? "" : " (" + jar + ")";
        throw new FunctionLoadException(
            "function path " + where + which + ": not a jar file (" + e.getMessage() + ")", e);
      }
    }

    private static String describe(Path given, Path absolute) {
      return given.isAbsolute() ? given.toString() : given + " (" + absolute + ")";
    }

    String describe() {
      return describe(given, given.toAbsolutePath().normalize());
    }
  }
}
