package io.sluice.common.config;

/** A configuration value that is missing, malformed or out of range; names key and value. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }

  public ConfigException(String key, Object value, String allowed) {
    super("Invalid value '" + value + "' for configuration '" + key + "': " + allowed);
  }
}
