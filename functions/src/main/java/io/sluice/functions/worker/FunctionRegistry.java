package io.sluice.functions.worker;

import io.sluice.functions.FunctionProvider;
import io.sluice.functions.SluiceFunction;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Functions by name, found with {@link ServiceLoader} ({@link FunctionProvider}, listed in {@code
 * META-INF/services/io.sluice.functions.FunctionProvider}). A worker creates the function its
 * {@code sluice.worker.function} names; two providers of one name fail the load.
 *
 * <pre>{@code
 * FunctionRegistry registry = FunctionRegistry.load();
 * registry.names(); // [llm, preprocess, sentiment, summarize] plus any on the class path
 * SluiceFunction f = registry.create("sentiment");
 * }</pre>
 */
public final class FunctionRegistry {
  private final Map<String, FunctionProvider> providers;

  private FunctionRegistry(Map<String, FunctionProvider> providers) {
    this.providers = providers;
  }

  /** Every provider visible to the class loader; two providers of one name is an error. */
  public static FunctionRegistry load(ClassLoader loader) {
    Map<String, FunctionProvider> byName = new TreeMap<>();
    for (FunctionProvider p : ServiceLoader.load(FunctionProvider.class, loader)) {
      FunctionProvider previous = byName.putIfAbsent(p.name(), p);
      if (previous != null) {
        throw new IllegalStateException(
            "two functions named '"
                + p.name()
                + "': "
                + previous.getClass().getName()
                + " and "
                + p.getClass().getName());
      }
    }
    return new FunctionRegistry(byName);
  }

  /** Every provider visible to this class's class loader. */
  public static FunctionRegistry load() {
    return load(FunctionRegistry.class.getClassLoader());
  }

  /** The names of every function found, sorted. */
  public java.util.Set<String> names() {
    return providers.keySet();
  }

  /** A new instance of the named function. */
  public SluiceFunction create(String name) {
    FunctionProvider p = providers.get(name);
    if (p == null) {
      throw new IllegalArgumentException(
          "no function named '" + name + "'; known functions: " + providers.keySet());
    }
    return p.create();
  }
}
