package io.sluice.schemas.registry;

/**
 * A failure reported by a Schema Registry, or met while talking to one. Subclasses name the
 * registry's documented error codes so callers branch on type, never on message text.
 */
public class SchemaRegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int httpStatus;
  private final int errorCode;

  public SchemaRegistryException(int httpStatus, int errorCode, String message) {
    this(httpStatus, errorCode, message, null);
  }

  public SchemaRegistryException(int httpStatus, int errorCode, String message, Throwable cause) {
    super(message + " (HTTP " + httpStatus + ", error_code " + errorCode + ")", cause);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  /** The HTTP status of the registry's answer, or -1 if none was received. */
  public int httpStatus() {
    return httpStatus;
  }

  /** The registry's {@code error_code} (for example 40401), or the HTTP status if it gave none. */
  public int errorCode() {
    return errorCode;
  }

  /** Whether the same call may succeed later (server errors and unreachable registries). */
  public boolean isRetriable() {
    return false;
  }

  /** Maps a registry error answer to its typed exception. */
  public static SchemaRegistryException of(int httpStatus, int errorCode, String message) {
    return switch (errorCode) {
      case 40401 -> new SubjectNotFoundException(httpStatus, message);
      case 40402 -> new VersionNotFoundException(httpStatus, message);
      case 40403 -> new SchemaNotFoundException(httpStatus, message);
      case 409 -> new IncompatibleSchemaException(httpStatus, message);
      case 42201 -> new InvalidSchemaException(httpStatus, message);
      case 42202 -> new InvalidVersionException(httpStatus, message);
      case 42203 -> new InvalidCompatibilityLevelException(httpStatus, message);
      default ->
          httpStatus >= 500 || (errorCode >= 50000 && errorCode < 60000)
              ? new RegistryServerException(httpStatus, errorCode, message)
              : new SchemaRegistryException(httpStatus, errorCode, message);
    };
  }

  /** 40401: the subject does not exist. */
  public static final class SubjectNotFoundException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public SubjectNotFoundException(int httpStatus, String message) {
      super(httpStatus, 40401, message);
    }
  }

  /** 40402: the version does not exist under the subject. */
  public static final class VersionNotFoundException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public VersionNotFoundException(int httpStatus, String message) {
      super(httpStatus, 40402, message);
    }
  }

  /** 40403: no schema has that id, or the schema is not registered under the subject. */
  public static final class SchemaNotFoundException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public SchemaNotFoundException(int httpStatus, String message) {
      super(httpStatus, 40403, message);
    }
  }

  /** 409: the schema breaks the subject's compatibility level. */
  public static final class IncompatibleSchemaException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public IncompatibleSchemaException(int httpStatus, String message) {
      super(httpStatus, 409, message);
    }
  }

  /** 42201: the schema text is not a valid schema. */
  public static final class InvalidSchemaException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public InvalidSchemaException(int httpStatus, String message) {
      super(httpStatus, 42201, message);
    }
  }

  /** 42202: the version is not a positive integer or "latest". */
  public static final class InvalidVersionException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public InvalidVersionException(int httpStatus, String message) {
      super(httpStatus, 42202, message);
    }
  }

  /** 42203: the compatibility level is not one the registry knows. */
  public static final class InvalidCompatibilityLevelException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public InvalidCompatibilityLevelException(int httpStatus, String message) {
      super(httpStatus, 42203, message);
    }
  }

  /** 5xx, 50001 (store), 50002 (timeout), 50003 (forwarding): the registry failed; retry later. */
  public static final class RegistryServerException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public RegistryServerException(int httpStatus, int errorCode, String message) {
      super(httpStatus, errorCode, message);
    }

    @Override
    public boolean isRetriable() {
      return true;
    }
  }

  /** The registry could not be reached, or its answer was not the documented JSON. */
  public static final class RegistryUnavailableException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public RegistryUnavailableException(String message, Throwable cause) {
      super(-1, -1, message, cause);
    }

    @Override
    public boolean isRetriable() {
      return true;
    }
  }
}
