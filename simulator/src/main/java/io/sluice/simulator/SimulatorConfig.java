package io.sluice.simulator;

/**
 * Settings of the {@link SimulatorServer}.
 *
 * @param host bind address
 * @param port 0 picks a free port (the dev stack uses 8000)
 * @param model the one model name served (and listed by {@code /v1/models})
 * @param cost the latency model
 * @param defaultMaxTokens output length when a request sets no {@code max_tokens}
 * @param maxWaiting waiting-queue capacity (front end + engine); beyond it calls get 429
 */
public record SimulatorConfig(
    String host, int port, String model, CostModel cost, int defaultMaxTokens, int maxWaiting) {

  public static SimulatorConfig defaults(int port) {
    return new SimulatorConfig("127.0.0.1", port, "sluice-sim", CostModel.defaults(), 16, 4096);
  }

  public SimulatorConfig withCost(CostModel c) {
    return new SimulatorConfig(host, port, model, c, defaultMaxTokens, maxWaiting);
  }
}
