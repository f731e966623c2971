package io.sluice.functions.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.avro.InferenceRequest;
import io.sluice.avro.JsonInput;
import io.sluice.avro.JsonOutput;
import io.sluice.functions.Batch;
import io.sluice.functions.ItemResult;
import io.sluice.functions.SluiceFunction;
import io.sluice.functions.internal.examples.ExampleProviders;
import java.io.File;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FunctionRegistry#load(List)}: a user's providers from jars, directories of jars and class
 * directories, on their own class loader, merged with Sluice's own; and every way a path can be
 * wrong, each named in the error.
 */
class FunctionRegistryTest {
  private static final List<String> BUILT_IN =
      List.of("embeddings", "llm", "preprocess", "sentiment", "summarize");

  @TempDir static Path dir;

  /** Compiled once: packages a (echo-a), b (echo-b), clash (sentiment), twin (echo-a), plain. */
  private static Path classes;

  @BeforeAll
  static void compileProviders() throws Exception {
    classes =
        ProviderJars.compile(
            Map.of(
                "a.Provider", ProviderJars.echoProvider("a", "echo-a"),
                "b.Provider", ProviderJars.echoProvider("b", "echo-b"),
                "clash.Provider", ProviderJars.echoProvider("clash", "sentiment"),
                "twin.Provider", ProviderJars.echoProvider("twin", "echo-a"),
                "plain.Helper", "package plain; public final class Helper {}"),
            dir.resolve("classes"));
  }

  @Test
  void aUserJarsFunctionsJoinTheBuiltInsOnAClassLoaderOfTheirOwnThatSharesTheSpi()
      throws Exception {
    Path jar = ProviderJars.jar(dir.resolve("user/echo-a.jar"), classes, "a/", "a.Provider");

    SluiceFunction fn;
    URLClassLoader loader;
    try (FunctionRegistry registry = FunctionRegistry.load(List.of(jar))) {
      assertThat(registry.names()).containsAll(BUILT_IN).contains("echo-a");
      assertThat(registry.origin("echo-a")).isEqualTo("a.Provider from " + jar);
      assertThat(registry.origin("sentiment"))
          .startsWith(ExampleProviders.Sentiment.class.getName() + " from Sluice's class path");

      fn = registry.create("echo-a");
      // Its own loader, child of Sluice's: the SPI types it implements are Sluice's own.
      assertThat(fn.getClass().getClassLoader()).isInstanceOf(URLClassLoader.class);
      loader = (URLClassLoader) fn.getClass().getClassLoader();
      assertThat(loader).isNotSameAs(FunctionRegistry.class.getClassLoader());
      assertThat(loader.getParent()).isSameAs(FunctionRegistry.class.getClassLoader());
      assertThat(loader.loadClass(SluiceFunction.class.getName())).isSameAs(SluiceFunction.class);
      assertThat(output(fn.apply(Batch.of("d", List.of(request("\"hi\"")))).get(0)))
          .isEqualTo("{\"function\":\"echo-a\",\"from\":\"a\",\"text\":\"hi\"}");
      assertThat(registry.create("sentiment").getClass().getClassLoader())
          .isSameAs(FunctionRegistry.class.getClassLoader());
    }
    // Closed with the registry: classes not yet loaded can no longer come from the jar.
    assertThatThrownBy(() -> loader.loadClass("a.NeverLoaded"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThat(loader.findResource(ProviderJars.SERVICES)).isNull();
  }

  @Test
  void aPathListTakesJarsDirectoriesOfJarsAndClassDirectories() throws Exception {
    Path jarDir = dir.resolve("lib-dir");
    ProviderJars.jar(jarDir.resolve("echo-a.jar"), classes, "a/", "a.Provider");
    ProviderJars.jar(jarDir.resolve("library.jar"), classes, "plain/"); // a dependency: no provider
    Path classDir =
        ProviderJars.withServices(
            ProviderJars.compile(
                Map.of("c.Provider", ProviderJars.echoProvider("c", "echo-c")),
                dir.resolve("c-classes")),
            "c.Provider");
    Path jar = ProviderJars.jar(dir.resolve("echo-b.jar"), classes, "b/", "b.Provider");

    List<Path> path =
        FunctionRegistry.parsePath(
            String.join(File.pathSeparator, jarDir + "", classDir + "", jar + ""));
    assertThat(path).containsExactly(jarDir, classDir, jar);
    try (FunctionRegistry registry = FunctionRegistry.load(path)) {
      assertThat(registry.names()).containsAll(BUILT_IN).contains("echo-a", "echo-b", "echo-c");
      assertThat(registry.origin("echo-a")).isEqualTo("a.Provider from " + jarDir);
      assertThat(registry.origin("echo-c")).isEqualTo("c.Provider from " + classDir);
      // The directory's library jar is on the same loader as its function.
      SluiceFunction a = registry.create("echo-a");
      assertThat(a.getClass().getClassLoader().loadClass("plain.Helper")).isNotNull();
      assertThat(
              output(registry.create("echo-c").apply(Batch.of("d", List.of(request("1")))).get(0)))
          .isEqualTo("{\"function\":\"echo-c\",\"from\":\"c\",\"text\":1}");
    }
  }

  @Test
  void aUserFunctionNamedLikeABuiltInIsAnErrorNamingBothClassesAndWhereEachCameFrom()
      throws Exception {
    Path jar = ProviderJars.jar(dir.resolve("clash.jar"), classes, "clash/", "clash.Provider");

    assertThatThrownBy(() -> FunctionRegistry.load(List.of(jar)))
        .isInstanceOf(FunctionLoadException.class)
        .hasMessageContaining("two functions named 'sentiment'")
        .hasMessageContaining(
            ExampleProviders.Sentiment.class.getName() + " from Sluice's class path")
        .hasMessageContaining("clash.Provider from " + jar);
  }

  @Test
  void twoUserFunctionsOfOneNameIsAnErrorNamingBothJars() throws Exception {
    Path first = ProviderJars.jar(dir.resolve("first/echo.jar"), classes, "a/", "a.Provider");
    Path second =
        ProviderJars.jar(dir.resolve("second/echo.jar"), classes, "twin/", "twin.Provider");

    assertThatThrownBy(() -> FunctionRegistry.load(List.of(first, second)))
        .isInstanceOf(FunctionLoadException.class)
        .hasMessageContaining("two functions named 'echo-a'")
        .hasMessageContaining("a.Provider from " + first)
        .hasMessageContaining("twin.Provider from " + second);
  }

  @Test
  void aMissingPathIsAnErrorNamingItAsGivenAndInFull() {
    Path missing = Path.of("no-such-dir", "functions.jar");

    assertThatThrownBy(() -> FunctionRegistry.load(List.of(missing)))
        .isInstanceOf(FunctionLoadException.class)
        .hasMessage(
            "function path "
                + missing
                + " ("
                + missing.toAbsolutePath()
                + "): no such file or directory");
  }

  @Test
  void aJarWithoutProvidersIsAnErrorNamingIt() throws Exception {
    Path jar = ProviderJars.jar(dir.resolve("plain.jar"), classes, "plain/");
    Path ok = ProviderJars.jar(dir.resolve("ok/echo-a.jar"), classes, "a/", "a.Provider");

    // One good entry does not excuse an empty one.
    assertThatThrownBy(() -> FunctionRegistry.load(List.of(ok, jar)))
        .isInstanceOf(FunctionLoadException.class)
        .hasMessageStartingWith("no function found in " + jar + ": ")
        .hasMessageContaining("META-INF/services/io.sluice.functions.FunctionProvider");
  }

  @Test
  void aFileThatIsNotAJarOrAProviderThatCannotLoadIsAnErrorNamingThePath() throws Exception {
    Path notAJar = Files.writeString(dir.resolve("notes.jar"), "not a zip");
    assertThatThrownBy(() -> FunctionRegistry.load(List.of(notAJar)))
        .isInstanceOf(FunctionLoadException.class)
        .hasMessageStartingWith("function path " + notAJar + ": not a jar file");

    Path wrongName = ProviderJars.jar(dir.resolve("typo.jar"), classes, "a/", "a.Provder");
    assertThatThrownBy(() -> FunctionRegistry.load(List.of(wrongName)))
        .isInstanceOf(FunctionLoadException.class)
        .hasMessageStartingWith("a function provider could not be loaded from " + wrongName + ": ")
        .hasMessageContaining("a.Provder");
  }

  @Test
  void anEmptyPathIsSluicesOwnFunctions() {
    try (FunctionRegistry registry = FunctionRegistry.load(List.of())) {
      assertThat(registry.names()).containsExactlyElementsOf(BUILT_IN);
    }
    assertThat(FunctionRegistry.parsePath("")).isEmpty();
    assertThat(FunctionRegistry.parsePath(File.pathSeparator + " x.jar " + File.pathSeparator))
        .containsExactly(Path.of("x.jar"));
  }

  private static InferenceRequest request(String json) {
    return InferenceRequest.newBuilder()
        .setRequestId("r1")
        .setApp("app")
        .setDeployment("d")
        .setInput(JsonInput.newBuilder().setJson(json).build())
        .setCreatedAtMs(Instant.now())
        .build();
  }

  private static String output(ItemResult result) {
    assertThat(result).isInstanceOf(ItemResult.Success.class);
    return ((JsonOutput) ((ItemResult.Success) result).output()).getJson();
  }
}
