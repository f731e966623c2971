package io.sluice.autoscaler;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The scaling settings of one deployment, named and defaulted exactly as KEDA's {@code kafka}
 * trigger and {@code ScaledObject} spell them, so the chart values, the cluster and the dev stack
 * read the same keys. Every key is described once, in {@link Key}.
 *
 * <p>Example, for the dev stack reading a deployment's {@code scaling:} block:
 *
 * <pre>{@code
 * ScalingConfig config = ScalingConfig.fromMap(Map.of("lagThreshold", 5, "maxReplicaCount", 4));
 * }</pre>
 *
 * @param lagThreshold target lag per replica (KEDA {@code lagThreshold}); HPA aims at ceil(totalLag
 *     / lagThreshold) replicas
 * @param activationLagThreshold lag above which the deployment is active, i.e. scaled from zero
 * @param offsetResetPolicy how a partition without a committed offset counts
 * @param allowIdleConsumers allow more replicas than partitions
 * @param limitToPartitionsWithLag cap replicas at the number of partitions that have lag
 * @param excludePersistentLag ignore the lag of partitions whose committed offset did not move
 *     since the previous poll (a stuck consumer should not trigger a scale-up)
 * @param scaleToZeroOnInvalidOffset count partitions without a committed offset as lag 0
 * @param minReplicaCount KEDA {@code minReplicaCount}; 0 enables scale to zero
 * @param maxReplicaCount KEDA {@code maxReplicaCount}
 * @param cooldownPeriod time since the last active poll before scaling to zero
 * @param pollingInterval how often KEDA polls the trigger; the dev stack's poll period
 * @param tolerance HPA tolerance: no change while |metric/target - 1| is within it
 * @param behavior HPA scale-up/scale-down policies and stabilisation windows
 */
public record ScalingConfig(
    long lagThreshold,
    long activationLagThreshold,
    OffsetResetPolicy offsetResetPolicy,
    boolean allowIdleConsumers,
    boolean limitToPartitionsWithLag,
    boolean excludePersistentLag,
    boolean scaleToZeroOnInvalidOffset,
    int minReplicaCount,
    int maxReplicaCount,
    Duration cooldownPeriod,
    Duration pollingInterval,
    double tolerance,
    ScalingBehavior behavior) {

  /** Every key with its KEDA name, default and meaning: the single definition of the options. */
  public enum Key {
    LAG_THRESHOLD("lagThreshold", "10", "Target lag per replica; must be > 0."),
    ACTIVATION_LAG_THRESHOLD(
        "activationLagThreshold",
        "0",
        "Scale from zero only when the lag (persistent lag included) is above this; >= 0."),
    OFFSET_RESET_POLICY(
        "offsetResetPolicy",
        "latest",
        "latest: a partition with no committed offset counts lag 1; earliest: its log-end offset."),
    ALLOW_IDLE_CONSUMERS(
        "allowIdleConsumers", "false", "Allow more replicas than the topic has partitions."),
    LIMIT_TO_PARTITIONS_WITH_LAG(
        "limitToPartitionsWithLag",
        "false",
        "Cap replicas at the number of partitions with lag; not with allowIdleConsumers."),
    EXCLUDE_PERSISTENT_LAG(
        "excludePersistentLag",
        "false",
        "Ignore lag on partitions whose committed offset did not move since the previous poll."),
    SCALE_TO_ZERO_ON_INVALID_OFFSET(
        "scaleToZeroOnInvalidOffset",
        "false",
        "Count a partition with no committed offset as lag 0 instead of 1 (or its log end)."),
    MIN_REPLICA_COUNT("minReplicaCount", "0", "Minimum replicas; 0 enables scale to zero."),
    MAX_REPLICA_COUNT("maxReplicaCount", "100", "Maximum replicas; >= max(minReplicaCount, 1)."),
    COOLDOWN_PERIOD(
        "cooldownPeriod", "300", "Seconds since the last active poll before scaling to zero."),
    POLLING_INTERVAL("pollingInterval", "30", "Seconds between polls of the lag; > 0."),
    TOLERANCE(
        "tolerance",
        "0.1",
        "HPA tolerance (kube-controller-manager --horizontal-pod-autoscaler-tolerance).");

    private final String kedaName;
    private final String defaultValue;
    private final String doc;

    Key(String kedaName, String defaultValue, String doc) {
      this.kedaName = kedaName;
      this.defaultValue = defaultValue;
      this.doc = doc;
    }

    /** The key as written in KEDA trigger metadata, ScaledObject spec and chart values. */
    public String kedaName() {
      return kedaName;
    }

    public String defaultValue() {
      return defaultValue;
    }

    public String doc() {
      return doc;
    }

    static Key of(String kedaName) {
      for (Key key : values()) {
        if (key.kedaName.equals(kedaName)) {
          return key;
        }
      }
      throw new IllegalArgumentException(
          "unknown scaling key '"
              + kedaName
              + "'; allowed: "
              + Arrays.stream(values()).map(Key::kedaName).collect(Collectors.joining(", ")));
    }
  }

  public ScalingConfig {
    Objects.requireNonNull(offsetResetPolicy, "offsetResetPolicy");
    Objects.requireNonNull(cooldownPeriod, "cooldownPeriod");
    Objects.requireNonNull(pollingInterval, "pollingInterval");
    Objects.requireNonNull(behavior, "behavior");
    require(lagThreshold > 0, Key.LAG_THRESHOLD, lagThreshold, "must be > 0");
    require(
        activationLagThreshold >= 0, Key.ACTIVATION_LAG_THRESHOLD, activationLagThreshold, ">= 0");
    require(minReplicaCount >= 0, Key.MIN_REPLICA_COUNT, minReplicaCount, "must be >= 0");
    require(
        maxReplicaCount >= Math.max(1, minReplicaCount),
        Key.MAX_REPLICA_COUNT,
        maxReplicaCount,
        "must be >= max(minReplicaCount, 1) = " + Math.max(1, minReplicaCount));
    require(!cooldownPeriod.isNegative(), Key.COOLDOWN_PERIOD, cooldownPeriod, "must be >= 0");
    require(
        !pollingInterval.isNegative() && !pollingInterval.isZero(),
        Key.POLLING_INTERVAL,
        pollingInterval,
        "must be > 0");
    require(tolerance >= 0 && tolerance < 1, Key.TOLERANCE, tolerance, "must be in [0, 1)");
    // KEDA rejects this combination in parseKafkaMetadata.
    require(
        !(allowIdleConsumers && limitToPartitionsWithLag),
        Key.LIMIT_TO_PARTITIONS_WITH_LAG,
        true,
        "cannot be set together with allowIdleConsumers");
  }

  private static void require(boolean ok, Key key, Object value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException(key.kedaName() + "=" + value + ": " + rule);
    }
  }

  /** KEDA's and Kubernetes' defaults. */
  public static ScalingConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this config. */
  public Builder toBuilder() {
    return new Builder()
        .lagThreshold(lagThreshold)
        .activationLagThreshold(activationLagThreshold)
        .offsetResetPolicy(offsetResetPolicy)
        .allowIdleConsumers(allowIdleConsumers)
        .limitToPartitionsWithLag(limitToPartitionsWithLag)
        .excludePersistentLag(excludePersistentLag)
        .scaleToZeroOnInvalidOffset(scaleToZeroOnInvalidOffset)
        .minReplicaCount(minReplicaCount)
        .maxReplicaCount(maxReplicaCount)
        .cooldownPeriod(cooldownPeriod)
        .pollingInterval(pollingInterval)
        .tolerance(tolerance)
        .behavior(behavior);
  }

  /**
   * Reads the keys of {@link Key} (KEDA spelling) from a map such as a parsed {@code scaling:}
   * block of the chart values; absent keys take their defaults. Durations are whole seconds, as in
   * KEDA. The HPA behaviour is structured and is set with {@link Builder#behavior} instead.
   *
   * @throws IllegalArgumentException naming the key, the value and what is allowed
   */
  public static ScalingConfig fromMap(Map<String, ?> values) {
    Builder b = builder();
    for (Map.Entry<String, ?> entry : values.entrySet()) {
      Key key = Key.of(entry.getKey());
      String raw = String.valueOf(entry.getValue()).trim();
      try {
        switch (key) {
          case LAG_THRESHOLD -> b.lagThreshold(Long.parseLong(raw));
          case ACTIVATION_LAG_THRESHOLD -> b.activationLagThreshold(Long.parseLong(raw));
          case OFFSET_RESET_POLICY -> b.offsetResetPolicy(OffsetResetPolicy.fromKedaName(raw));
          case ALLOW_IDLE_CONSUMERS -> b.allowIdleConsumers(parseBoolean(raw));
          case LIMIT_TO_PARTITIONS_WITH_LAG -> b.limitToPartitionsWithLag(parseBoolean(raw));
          case EXCLUDE_PERSISTENT_LAG -> b.excludePersistentLag(parseBoolean(raw));
          case SCALE_TO_ZERO_ON_INVALID_OFFSET -> b.scaleToZeroOnInvalidOffset(parseBoolean(raw));
          case MIN_REPLICA_COUNT -> b.minReplicaCount(Integer.parseInt(raw));
          case MAX_REPLICA_COUNT -> b.maxReplicaCount(Integer.parseInt(raw));
          case COOLDOWN_PERIOD -> b.cooldownPeriod(Duration.ofSeconds(Long.parseLong(raw)));
          case POLLING_INTERVAL -> b.pollingInterval(Duration.ofSeconds(Long.parseLong(raw)));
          case TOLERANCE -> b.tolerance(Double.parseDouble(raw));
        }
      } catch (IllegalArgumentException e) { // NumberFormatException included
        throw new IllegalArgumentException(
            key.kedaName() + "='" + raw + "' is invalid: " + key.doc(), e);
      }
    }
    return b.build();
  }

  private static boolean parseBoolean(String raw) {
    return switch (raw.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("expected true or false");
    };
  }

  /** The replicas HPA may set: KEDA gives the HPA {@code max(minReplicaCount, 1)}. */
  public int hpaMinReplicas() {
    return Math.max(1, minReplicaCount);
  }

  /** Mutable builder with KEDA's defaults. */
  public static final class Builder {
    // Defaults come from Key, where each one is written once.
    private long lagThreshold = Long.parseLong(Key.LAG_THRESHOLD.defaultValue());
    private long activationLagThreshold =
        Long.parseLong(Key.ACTIVATION_LAG_THRESHOLD.defaultValue());
    private OffsetResetPolicy offsetResetPolicy =
        OffsetResetPolicy.fromKedaName(Key.OFFSET_RESET_POLICY.defaultValue());
    private boolean allowIdleConsumers =
        Boolean.parseBoolean(Key.ALLOW_IDLE_CONSUMERS.defaultValue());
    private boolean limitToPartitionsWithLag =
        Boolean.parseBoolean(Key.LIMIT_TO_PARTITIONS_WITH_LAG.defaultValue());
    private boolean excludePersistentLag =
        Boolean.parseBoolean(Key.EXCLUDE_PERSISTENT_LAG.defaultValue());
    private boolean scaleToZeroOnInvalidOffset =
        Boolean.parseBoolean(Key.SCALE_TO_ZERO_ON_INVALID_OFFSET.defaultValue());
    private int minReplicaCount = Integer.parseInt(Key.MIN_REPLICA_COUNT.defaultValue());
    private int maxReplicaCount = Integer.parseInt(Key.MAX_REPLICA_COUNT.defaultValue());
    private Duration cooldownPeriod =
        Duration.ofSeconds(Long.parseLong(Key.COOLDOWN_PERIOD.defaultValue()));
    private Duration pollingInterval =
        Duration.ofSeconds(Long.parseLong(Key.POLLING_INTERVAL.defaultValue()));
    private double tolerance = Double.parseDouble(Key.TOLERANCE.defaultValue());
    private ScalingBehavior behavior = ScalingBehavior.kubernetesDefault();

    private Builder() {}

    public Builder lagThreshold(long v) {
      lagThreshold = v;
      return this;
    }

    public Builder activationLagThreshold(long v) {
      activationLagThreshold = v;
      return this;
    }

    public Builder offsetResetPolicy(OffsetResetPolicy v) {
      offsetResetPolicy = v;
      return this;
    }

    public Builder allowIdleConsumers(boolean v) {
      allowIdleConsumers = v;
      return this;
    }

    public Builder limitToPartitionsWithLag(boolean v) {
      limitToPartitionsWithLag = v;
      return this;
    }

    public Builder excludePersistentLag(boolean v) {
      excludePersistentLag = v;
      return this;
    }

    public Builder scaleToZeroOnInvalidOffset(boolean v) {
      scaleToZeroOnInvalidOffset = v;
      return this;
    }

    public Builder minReplicaCount(int v) {
      minReplicaCount = v;
      return this;
    }

    public Builder maxReplicaCount(int v) {
      maxReplicaCount = v;
      return this;
    }

    public Builder cooldownPeriod(Duration v) {
      cooldownPeriod = v;
      return this;
    }

    public Builder pollingInterval(Duration v) {
      pollingInterval = v;
      return this;
    }

    public Builder tolerance(double v) {
      tolerance = v;
      return this;
    }

    public Builder behavior(ScalingBehavior v) {
      behavior = v;
      return this;
    }

    public ScalingConfig build() {
      return new ScalingConfig(
          lagThreshold,
          activationLagThreshold,
          offsetResetPolicy,
          allowIdleConsumers,
          limitToPartitionsWithLag,
          excludePersistentLag,
          scaleToZeroOnInvalidOffset,
          minReplicaCount,
          maxReplicaCount,
          cooldownPeriod,
          pollingInterval,
          tolerance,
          behavior);
    }
  }
}
