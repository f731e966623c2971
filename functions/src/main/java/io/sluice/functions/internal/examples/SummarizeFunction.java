package io.sluice.functions.internal.examples;

import io.sluice.functions.Batch;
import io.sluice.functions.FunctionContext;
import io.sluice.functions.ItemResult;
import io.sluice.functions.SluiceFunction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * {@code summarize}: extractive summarisation by word frequency (Luhn-style). Sentences are scored
 * by the mean frequency of their non-stop words; the best {@code sentences} (function parameter,
 * default 2) are returned in their original order. Output: {@code {"summary", "sentences"}}.
 */
public final class SummarizeFunction implements SluiceFunction {
  private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+");

  private static final Set<String> STOP =
      Set.of(
          "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "is",
          "are", "was", "were", "be", "been", "it", "its", "this", "that", "as", "by", "from",
          "has", "have", "had", "not", "we", "you", "they", "he", "she", "i", "our", "their",
          "will", "would", "can", "could", "there", "which", "who", "so", "if", "than");

  private int sentences = 2;

  @Override
  public void open(FunctionContext context) {
    sentences = Math.max(1, context.intParameter("sentences", 2));
  }

  @Override
  public List<ItemResult> apply(Batch batch) {
    return batch.map(r -> ItemResult.json(TextInput.write(summarise(TextInput.of(r), sentences))));
  }

  static Map<String, Object> summarise(String text, int keep) {
    List<String> sents = new ArrayList<>();
    for (String s : SENTENCE_END.split(text.trim(), -1)) {
      if (!s.isBlank()) {
        sents.add(s.trim());
      }
    }
    Map<String, Integer> freq = new HashMap<>();
    List<List<String>> words = new ArrayList<>();
    for (String s : sents) {
      List<String> w =
          TextInput.tokens(TextInput.normalise(s)).stream().filter(t -> !STOP.contains(t)).toList();
      words.add(w);
      w.forEach(t -> freq.merge(t, 1, Integer::sum));
    }
    double[] score = new double[sents.size()];
    for (int i = 0; i < sents.size(); i++) {
      List<String> w = words.get(i);
      score[i] = w.isEmpty() ? 0 : w.stream().mapToInt(freq::get).sum() / (double) w.size();
    }
    List<Integer> chosen =
        IntStream.range(0, sents.size())
            .boxed()
            .sorted(Comparator.comparingDouble((Integer i) -> -score[i]).thenComparing(i -> i))
            .limit(keep)
            .sorted()
            .toList();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("summary", chosen.stream().map(sents::get).collect(Collectors.joining(" ")));
    out.put("sentences", chosen);
    return out;
  }
}
