package io.sluice.functions.internal.llm;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.avro.ChatInput;
import io.sluice.avro.ChatMessage;
import io.sluice.avro.ChatOutput;
import io.sluice.avro.ChatRole;
import io.sluice.avro.CompletionInput;
import io.sluice.avro.CompletionOutput;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.JsonInput;
import io.sluice.avro.SamplingParams;
import io.sluice.functions.Batch;
import io.sluice.functions.FunctionContext;
import io.sluice.functions.FunctionException;
import io.sluice.functions.ItemResult;
import io.sluice.functions.SluiceFunction;
import io.sluice.functions.worker.FunctionRegistry;
import io.sluice.simulator.SimulatorConfig;
import io.sluice.simulator.SimulatorServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code llm} function on the vLLM simulator (moved from ExampleFunctionsTest). */
@Timeout(30)
class LlmFunctionTest {
  @Test
  void theRegistryFindsTheLlmFunctionByItsName() {
    assertThat(FunctionRegistry.load().create("llm")).isInstanceOf(LlmFunction.class);
  }

  @Test
  void llmBatchesCompletionsAndStreamsChatOnTheSimulator() throws Exception {
    try (SimulatorServer sim = SimulatorServer.start(SimulatorConfig.defaults(0))) {
      SluiceFunction f = new LlmProvider().create();
      f.open(
          new FunctionContext("d", sim.baseUrl(), "", "", 2, Map.of(), new SimpleMeterRegistry()));
      SamplingParams three = SamplingParams.newBuilder().setMaxTokens(3).build();
      InferenceRequest c1 =
          InferenceRequest.newBuilder()
              .setRequestId("c1")
              .setInput(
                  CompletionInput.newBuilder().setPrompt("red green").setSampling(three).build())
              .build();
      InferenceRequest c2 =
          InferenceRequest.newBuilder()
              .setRequestId("c2")
              .setInput(CompletionInput.newBuilder().setPrompt("blue").setSampling(three).build())
              .build();
      InferenceRequest chat =
          InferenceRequest.newBuilder()
              .setRequestId("chat")
              .setStream(true)
              .setInput(
                  ChatInput.newBuilder()
                      .setMessages(
                          List.of(
                              ChatMessage.newBuilder()
                                  .setRole(ChatRole.USER)
                                  .setContent("hi you")
                                  .build()))
                      .setSampling(SamplingParams.newBuilder().setMaxTokens(2).build())
                      .build())
              .build();
      InferenceRequest wrong =
          InferenceRequest.newBuilder()
              .setRequestId("j")
              .setInput(JsonInput.newBuilder().setJson("{}").build())
              .build();
      List<String> chunks = new CopyOnWriteArrayList<>();

      List<ItemResult> r =
          f.apply(
              new Batch(
                  "b", "d", List.of(c1, chat, c2, wrong), 1, (req, delta) -> chunks.add(delta)));
      f.close();

      CompletionOutput o1 = (CompletionOutput) ((ItemResult.Success) r.get(0)).output();
      assertThat(o1.getText()).isEqualTo("red green red");
      assertThat(((ItemResult.Success) r.get(0)).usage().getCompletionTokens()).isPositive();
      ChatOutput chatOut = (ChatOutput) ((ItemResult.Success) r.get(1)).output();
      assertThat(chatOut.getMessage().getContent()).isEqualTo("hi you");
      assertThat(chunks).containsExactly("hi", " you");
      assertThat(((CompletionOutput) ((ItemResult.Success) r.get(2)).output()).getText())
          .isEqualTo("blue blue blue");
      assertThat(((ItemResult.Failure) r.get(3)).error()).isInstanceOf(FunctionException.class);
    }
  }
}
