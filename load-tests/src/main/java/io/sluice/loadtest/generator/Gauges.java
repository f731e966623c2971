package io.sluice.loadtest.generator;

import java.util.Map;

/**
 * Values sampled from the system under test at each timeline interval, such as the number of worker
 * replicas of a deployment. Must not block: return the latest known values.
 */
@FunctionalInterface
public interface Gauges {
  Map<String, Double> sample();

  Gauges NONE = Map::of;
}
