package io.sluice.bridge.internal;

import io.sluice.bridge.BridgeConfig;
import io.sluice.common.config.ConnectionKeys;
import io.vertx.ext.web.RoutingContext;

/**
 * Answers for requests no route handler answered: an unknown path (404), a known path with another
 * method (405 with {@code Allow}), and what Vert.x Web itself failed (a body over the limit is
 * 413). The error shape follows the path ({@link ErrorShape#ofPath}).
 */
final class RouteErrors {
  private final BridgeConfig config;

  RouteErrors(BridgeConfig config) {
    this.config = config;
  }

  /** 405 with {@code Allow} for a known path and another method, else 404. */
  void noRoute(RoutingContext ctx) {
    String method = ctx.request().method().name();
    String path = ctx.request().path();
    String allow = MethodTable.allowed(path);
    ApiError e;
    if (allow != null) {
      ctx.response().putHeader("Allow", allow);
      e =
          new ApiError(
              405,
              ApiError.METHOD_NOT_ALLOWED,
              method + " is not allowed on " + MethodTable.shape(path) + "; use " + allow + ".",
              null,
              null,
              null);
    } else {
      e =
          new ApiError(
              404,
              ApiError.NOT_FOUND,
              "No route " + method + " " + MethodTable.clip(path) + ".",
              null,
              null,
              null);
    }
    Responder.error(ctx.response(), ErrorShape.ofPath(path), e);
  }

  /** The failure handler of {@code /v1/*}. */
  void failure(RoutingContext ctx) {
    Responder.error(ctx.response(), ErrorShape.ofPath(ctx.request().path()), errorOf(ctx));
  }

  private ApiError errorOf(RoutingContext ctx) {
    Throwable t = ctx.failure();
    if (t instanceof ApiError a) {
      return a;
    }
    int status = ctx.statusCode();
    if (status == 413 && ctx.request().path().startsWith("/v1/files")) {
      return new ApiError(
          413,
          ApiError.PAYLOAD_TOO_LARGE,
          "A file may have at most "
              + config.batch().maxFileBytes()
              + " bytes ("
              + BridgeConfig.BATCH_MAX_FILE_BYTES
              + ").",
          "file",
          null,
          null);
    }
    if (status == 413) {
      return new ApiError(
          413,
          ApiError.PAYLOAD_TOO_LARGE,
          "The request body is larger than "
              + config.maxBodyBytes()
              + " bytes: a request must fit one Kafka record of "
              + config.maxMessageBytes()
              + " bytes ("
              + ConnectionKeys.MAX_MESSAGE_BYTES
              + ").",
          null,
          null,
          null);
    }
    if (status == 405) {
      return new ApiError(
          405, ApiError.METHOD_NOT_ALLOWED, "Method not allowed.", null, null, null);
    }
    if (status >= 400 && status < 500) {
      return new ApiError(status, "bad_request", "Bad request.", null, null, null);
    }
    return new ApiError(
        500,
        "internal",
        "Internal error: " + (t == null ? "unknown" : t.getClass().getSimpleName()),
        null,
        null,
        null);
  }
}
