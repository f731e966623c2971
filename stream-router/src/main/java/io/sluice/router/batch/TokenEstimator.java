package io.sluice.router.batch;

import io.sluice.avro.ChatInput;
import io.sluice.avro.ChatMessage;
import io.sluice.avro.CompletionInput;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.JsonInput;
import io.sluice.avro.SamplingParams;

/**
 * A cheap token estimate of a request without a tokenizer: about four characters of prompt per
 * token (the usual rule of thumb for English BPE vocabularies), four tokens of framing per chat
 * message, plus the {@code maxTokens} the caller allows for each answer: a completion with a list
 * of prompts counts every prompt, and every prompt is answered {@code n} times. At least 1.
 */
public final class TokenEstimator {
  private TokenEstimator() {}

  public static int estimate(InferenceRequest r) {
    long chars = 0;
    long framing = 0;
    long answers = 1;
    SamplingParams sampling = null;
    Object input = r.getInput();
    if (input instanceof ChatInput chat) {
      for (ChatMessage m : chat.getMessages()) {
        chars += m.getContent().length();
        framing += 4;
      }
      sampling = chat.getSampling();
    } else if (input instanceof CompletionInput c) {
      if (c.getPrompts().isEmpty()) {
        chars = c.getPrompt().length();
      } else {
        for (String p : c.getPrompts()) {
          chars += p.length();
        }
        answers = c.getPrompts().size();
      }
      sampling = c.getSampling();
    } else if (input instanceof JsonInput j) {
      chars = j.getJson().length();
    }
    long answer = sampling == null || sampling.getMaxTokens() == null ? 0 : sampling.getMaxTokens();
    if (sampling != null && sampling.getN() != null && sampling.getN() > 1) {
      answers *= sampling.getN();
    }
    long tokens = (chars + 3) / 4 + framing + Math.max(0, answer) * answers;
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, tokens));
  }
}
