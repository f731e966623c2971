package io.sluice.router;

import io.sluice.avro.BatchingSettings;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.Priority;
import io.sluice.avro.RouteConfig;
import io.sluice.avro.Shadow;
import io.sluice.avro.Variant;
import io.sluice.testkit.Records;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Record builders for router tests. */
final class Fixtures {
  private Fixtures() {}

  static Variant variant(String name, String deployment, double weight) {
    return Variant.newBuilder().setName(name).setDeployment(deployment).setWeight(weight).build();
  }

  static RouteConfig route(String app, List<Variant> variants) {
    return RouteConfig.newBuilder()
        .setApp(app)
        .setVariants(variants)
        .setSalt("salt-" + app)
        .setUpdatedAtMs(Instant.EPOCH)
        .build();
  }

  static RouteConfig route(
      String app, List<Variant> variants, List<Shadow> shadows, Map<String, BatchingSettings> b) {
    RouteConfig r = route(app, variants);
    r.setShadows(shadows);
    r.setBatching(b);
    return r;
  }

  static BatchingSettings batching(int size, long waitMs, Integer tokens) {
    return BatchingSettings.newBuilder()
        .setMaxBatchSize(size)
        .setMaxWaitMs(waitMs)
        .setMaxBatchTokens(tokens)
        .build();
  }

  static InferenceRequest request(String app, String id) {
    return Records.chat(app, id, "hello there, how are you today?", 16)
        .setCreatedAtMs(Instant.EPOCH)
        .build();
  }

  static InferenceRequest request(String app, String id, Priority priority) {
    InferenceRequest r = request(app, id);
    r.setPriority(priority);
    return r;
  }
}
