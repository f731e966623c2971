package io.sluice.functions.internal.examples;

import io.sluice.functions.Batch;
import io.sluice.functions.ItemResult;
import io.sluice.functions.SluiceFunction;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code preprocess}: normalises text (NFKC, lower case, whitespace), tokenises it into words and
 * counts them. Output: {@code {"normalized", "tokens", "tokenCount", "charCount", "counts"}}.
 */
public final class PreprocessFunction implements SluiceFunction {
  @Override
  public List<ItemResult> apply(Batch batch) {
    return batch.map(
        r -> {
          String normalised = TextInput.normalise(TextInput.of(r));
          List<String> tokens = TextInput.tokens(normalised);
          Map<String, Integer> counts = new TreeMap<>();
          tokens.forEach(t -> counts.merge(t, 1, Integer::sum));
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("normalized", normalised);
          out.put("tokens", tokens);
          out.put("tokenCount", tokens.size());
          out.put("charCount", normalised.length());
          out.put("counts", counts);
          return ItemResult.json(TextInput.write(out));
        });
  }
}
