package io.sluice.loadtest.generator;

/**
 * What a target learned from the answer to one request.
 *
 * @param ok the reply's status was OK
 * @param variant the experiment variant that served it, if the reply says
 * @param deployment the deployment that served it, if the reply says
 * @param errorCode the stable error code of an ERROR reply (or an HTTP status as {@code http_NNN})
 * @param batch identifies the micro-batch that carried the request (deployment and the batch's
 *     flush and start times), if the reply says; replies sharing it rode in one batch
 */
public record Reply(boolean ok, String variant, String deployment, String errorCode, String batch) {
  public static Reply ok(String variant, String deployment) {
    return new Reply(true, variant, deployment, null, null);
  }

  public static Reply error(String code, String variant, String deployment) {
    return new Reply(false, variant, deployment, code, null);
  }

  public Reply withBatch(String batchKey) {
    return new Reply(ok, variant, deployment, errorCode, batchKey);
  }
}
