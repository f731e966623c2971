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
 * @param stages where the request's time went, if the reply says (the Kafka entry path only)
 */
public record Reply(
    boolean ok,
    String variant,
    String deployment,
    String errorCode,
    String batch,
    StageTimes stages) {
  public static Reply ok(String variant, String deployment) {
    return new Reply(true, variant, deployment, null, null, null);
  }

  public static Reply error(String code, String variant, String deployment) {
    return new Reply(false, variant, deployment, code, null, null);
  }

  public Reply withBatch(String batchKey) {
    return new Reply(ok, variant, deployment, errorCode, batchKey, stages);
  }

  public Reply withStages(StageTimes times) {
    return new Reply(ok, variant, deployment, errorCode, batch, times);
  }
}
