package io.sluice.examples.wordcount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.avro.CompletionInput;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.JsonInput;
import io.sluice.avro.JsonOutput;
import io.sluice.functions.Batch;
import io.sluice.functions.FunctionContext;
import io.sluice.functions.FunctionException;
import io.sluice.functions.ItemResult;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A function is a plain class: test it without Kafka, on a {@link Batch} built in the test. */
class WordCountTest {

  @Test
  void countsWordsAndListsTheMostFrequentPerRequestInOrder() throws Exception {
    WordCount f = new WordCount();
    f.open(context(Map.of("top", "2")));
    List<ItemResult> results =
        f.apply(
            Batch.of(
                "word-count",
                List.of(
                    json("r1", "{\"text\": \"The cat saw the other cat; the end.\"}"),
                    prompt("r2", "Hello, hello world"),
                    json("r3", "{\"txt\": \"misspelt field\"}"))));

    assertEquals(3, results.size());
    assertEquals(
        "{\"words\":8,\"unique\":5,\"top\":[{\"word\":\"the\",\"count\":3},"
            + "{\"word\":\"cat\",\"count\":2}]}",
        output(results.get(0)));
    assertEquals(
        "{\"words\":3,\"unique\":2,\"top\":[{\"word\":\"hello\",\"count\":2},"
            + "{\"word\":\"world\",\"count\":1}]}",
        output(results.get(1)));
    ItemResult.Failure bad = assertInstanceOf(ItemResult.Failure.class, results.get(2));
    FunctionException error = assertInstanceOf(FunctionException.class, bad.error());
    assertEquals("invalid_input", error.code());
  }

  private static String output(ItemResult result) {
    ItemResult.Success ok = assertInstanceOf(ItemResult.Success.class, result);
    return assertInstanceOf(JsonOutput.class, ok.output()).getJson();
  }

  private static FunctionContext context(Map<String, String> params) {
    return new FunctionContext("word-count", "", "", "", 1, params, new SimpleMeterRegistry());
  }

  private static InferenceRequest json(String id, String json) {
    return request(id).setInput(JsonInput.newBuilder().setJson(json).build()).build();
  }

  private static InferenceRequest prompt(String id, String text) {
    return request(id).setInput(CompletionInput.newBuilder().setPrompt(text).build()).build();
  }

  private static InferenceRequest.Builder request(String id) {
    return InferenceRequest.newBuilder()
        .setRequestId(id)
        .setApp("words")
        .setDeployment("word-count")
        .setCreatedAtMs(Instant.now());
  }
}
