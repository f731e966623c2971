package io.sluice.functions.internal.runtime;

import io.sluice.functions.FunctionProvider;
import io.sluice.functions.SluiceFunction;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Functions by name, found with {@link ServiceLoader} ({@link FunctionProvider}). */
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

  public static FunctionRegistry load() {
    return load(FunctionRegistry.class.getClassLoader());
  }

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
