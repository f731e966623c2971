package io.sluice.loadtest.generator;

/**
 * What a target learned from the answer to one request.
 *
 * @param ok the reply's status was OK
 * @param variant the experiment variant that served it, if the reply says
 * @param deployment the deployment that served it, if the reply says
 * @param errorCode the stable error code of an ERROR reply (or an HTTP status as {@code http_NNN})
 */
public record Reply(boolean ok, String variant, String deployment, String errorCode) {
  public static Reply ok(String variant, String deployment) {
    return new Reply(true, variant, deployment, null);
  }

  public static Reply error(String code, String variant, String deployment) {
    return new Reply(false, variant, deployment, code);
  }
}
