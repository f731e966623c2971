package io.sluice.bridge.internal;

import java.util.Map;

/**
 * How a bridge consumer joins its consumer group.
 *
 * @param id the group id
 * @param instanceId static membership ({@code group.instance.id}); empty for dynamic membership
 * @param settings the shared group settings (session timeout, heartbeats) from {@code
 *     ConnectionKeys.groupSettings}
 */
public record ConsumerGroup(String id, String instanceId, Map<String, Object> settings) {
  public ConsumerGroup {
    instanceId = instanceId == null ? "" : instanceId;
    settings = Map.copyOf(settings);
  }

  /**
   * The {@code group.instance.id} of the consumer called {@code role}: the configured id plus the
   * role, so that two groups of one replica never share an instance id.
   */
  String instanceIdOf(String role) {
    return instanceId.isEmpty() ? "" : instanceId + "-" + role;
  }
}
