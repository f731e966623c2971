package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.avro.RouteConfig;
import io.sluice.bridge.ApiKeys.Principal;

/**
 * OpenAI's {@code GET /v1/models} and {@code GET /v1/models/{id}}: the apps of {@code
 * sluice.routes} the caller's key may call, as OpenAI {@code model} objects; errors in OpenAI's
 * shape ({@link #ERRORS}).
 */
final class OpenAiModels {
  static final ErrorShape ERRORS = ErrorShape.OPENAI;

  private final RouteTable routes;

  OpenAiModels(RouteTable routes) {
    this.routes = routes;
  }

  /** {@code {"object": "list", "data": [model...]}}. */
  ObjectNode list(Principal who) {
    ObjectNode o = JsonNodeFactory.instance.objectNode().put("object", "list");
    ArrayNode data = o.putArray("data");
    routes
        .all()
        .forEach(
            (app, rc) -> {
              if (who.allows(app)) {
                data.add(model(app, rc));
              }
            });
    return o;
  }

  /** One model; 404 {@code model_not_found} for an app unknown or not the caller's to see. */
  ObjectNode one(Principal who, String app) {
    RouteConfig rc = routes.get(app);
    if (rc == null || !who.allows(app)) {
      throw OpenAiRequests.modelNotFound(app);
    }
    return model(app, rc);
  }

  private static ObjectNode model(String app, RouteConfig rc) {
    return JsonNodeFactory.instance
        .objectNode()
        .put("id", app)
        .put("object", "model")
        .put("created", rc.getUpdatedAtMs() == null ? 0 : rc.getUpdatedAtMs().getEpochSecond())
        .put("owned_by", "sluice");
  }
}
