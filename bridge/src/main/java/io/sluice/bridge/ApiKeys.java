package io.sluice.bridge;

import io.sluice.common.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * API keys and the apps each may call, parsed from {@code sluice.bridge.api-keys}:
 *
 * <pre>
 *   key1=app1|app2,key2=*
 * </pre>
 *
 * Entries are comma-separated; each is {@code key=apps} with apps separated by {@code |}, or {@code
 * *} for every app. Keys are compared in constant time; {@link #toString()} never shows them.
 */
public final class ApiKeys {
  /** Who called: a key's short fingerprint (safe to log) and the apps it may call. */
  public record Principal(String fingerprint, Set<String> apps) {
    public boolean allows(String app) {
      return apps.contains("*") || apps.contains(app);
    }
  }

  /** The principal of calls when authentication is off: every app is allowed. */
  public static final Principal ANONYMOUS = new Principal("anonymous", Set.of("*"));

  private final Map<String, Principal> byKey;

  private ApiKeys(Map<String, Principal> byKey) {
    this.byKey = Map.copyOf(byKey);
  }

  /** No keys at all. */
  public static ApiKeys none() {
    return new ApiKeys(Map.of());
  }

  /**
   * Parses {@code key1=app1|app2,key2=*}.
   *
   * @throws ConfigException naming the entry at fault (never the key itself)
   */
  public static ApiKeys parse(String text) {
    Map<String, Principal> out = new LinkedHashMap<>();
    if (text == null || text.isBlank()) {
      return new ApiKeys(out);
    }
    int n = 0;
    for (String entry : text.split(",", -1)) {
      n++;
      String e = entry.trim();
      if (e.isEmpty()) {
        continue;
      }
      int eq = e.indexOf('=');
      if (eq <= 0 || eq == e.length() - 1) {
        throw new ConfigException(
            BridgeConfig.API_KEYS, "[redacted]", "entry " + n + " must be key=app1|app2 or key=*");
      }
      String key = e.substring(0, eq).trim();
      Set<String> apps = new java.util.LinkedHashSet<>();
      for (String app : e.substring(eq + 1).split("\\|", -1)) {
        String a = app.trim();
        if (!a.isEmpty()) {
          apps.add(a);
        }
      }
      if (apps.isEmpty()) {
        throw new ConfigException(
            BridgeConfig.API_KEYS, "[redacted]", "entry " + n + " names no app");
      }
      out.put(key, new Principal(fingerprint(key), Set.copyOf(apps)));
    }
    return new ApiKeys(out);
  }

  /** The principal of a presented key, if the key is known. */
  public Optional<Principal> lookup(String presented) {
    if (presented == null) {
      return Optional.empty();
    }
    byte[] p = presented.getBytes(StandardCharsets.UTF_8);
    Principal found = null;
    // Compare against every key in constant time so that timing does not reveal a prefix.
    for (Map.Entry<String, Principal> e : byKey.entrySet()) {
      if (MessageDigest.isEqual(e.getKey().getBytes(StandardCharsets.UTF_8), p)) {
        found = e.getValue();
      }
    }
    return Optional.ofNullable(found);
  }

  public int size() {
    return byKey.size();
  }

  private static String fingerprint(String key) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return "key-" + java.util.HexFormat.of().formatHex(d, 0, 4);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "ApiKeys[" + byKey.size() + " keys, redacted]";
  }
}
