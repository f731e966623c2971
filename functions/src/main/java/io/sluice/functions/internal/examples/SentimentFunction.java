package io.sluice.functions.internal.examples;

import io.sluice.functions.Batch;
import io.sluice.functions.FunctionContext;
import io.sluice.functions.ItemResult;
import io.sluice.functions.SluiceFunction;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code sentiment}: lexicon-based sentiment. The lexicon is Sluice's own small word list ({@code
 * sentiment-lexicon.tsv}, 106 English words with AFINN-style integer valences from -5 to +5,
 * written for this project, not a download), with negation ("not good" flips the next three words)
 * and intensifiers ("very", "extremely" multiply by 1.5). The score is the valence sum divided by
 * the square root of the token count, clamped to [-1, 1]; above 0.05 is positive, below -0.05
 * negative. Output: {@code {"label", "score", "matched"}}.
 */
public final class SentimentFunction implements SluiceFunction {
  private static final Pattern TAB = Pattern.compile("\t");

  private static final Set<String> NEGATIONS =
      Set.of(
          "not", "no", "never", "none", "nobody", "nothing", "isn't", "wasn't", "don't", "doesn't",
          "didn't", "can't", "won't", "aren't", "without");
  private static final Set<String> INTENSIFIERS =
      Set.of("very", "really", "extremely", "so", "incredibly", "totally", "absolutely");

  private Map<String, Integer> lexicon = Map.of();

  @Override
  public void open(FunctionContext context) throws IOException {
    lexicon = load();
  }

  static Map<String, Integer> load() throws IOException {
    Map<String, Integer> out = new HashMap<>();
    try (InputStream in = SentimentFunction.class.getResourceAsStream("sentiment-lexicon.tsv")) {
      if (in == null) {
        throw new IOException("sentiment-lexicon.tsv missing from the classpath");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] parts = TAB.split(line, -1);
        out.put(parts[0].trim(), Integer.parseInt(parts[1].trim()));
      }
    }
    return Map.copyOf(out);
  }

  @Override
  public List<ItemResult> apply(Batch batch) {
    return batch.map(r -> ItemResult.json(TextInput.write(score(TextInput.of(r)))));
  }

  Map<String, Object> score(String text) {
    List<String> tokens = TextInput.tokens(TextInput.normalise(text));
    double sum = 0;
    int matched = 0;
    int negateFor = 0;
    double boost = 1.0;
    for (String t : tokens) {
      if (NEGATIONS.contains(t)) {
        negateFor = 3;
        continue;
      }
      if (INTENSIFIERS.contains(t)) {
        boost = 1.5;
        continue;
      }
      Integer v = lexicon.get(t);
      if (v != null) {
        matched++;
        sum += (negateFor > 0 ? -v : v) * boost;
      }
      boost = 1.0;
      negateFor = Math.max(0, negateFor - 1);
    }
    double score =
        tokens.isEmpty() ? 0 : Math.max(-1, Math.min(1, sum / 5.0 / Math.sqrt(tokens.size())));
    String label = score > 0.05 ? "positive" : score < -0.05 ? "negative" : "neutral";
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("label", label);
    out.put("score", Math.round(score * 1000) / 1000.0);
    out.put("matched", matched);
    return out;
  }
}
