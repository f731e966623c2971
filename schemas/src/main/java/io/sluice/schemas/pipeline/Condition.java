package io.sluice.schemas.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A step's {@code when}: a comparison of one template value with a literal, or {@code all}/{@code
 * any}/{@code not} of conditions (docs/PIPELINES.md, "Conditions").
 */
public abstract sealed class Condition {
  static final List<String> OPS = List.of("eq", "ne", "gt", "gte", "lt", "lte", "in", "exists");

  private Condition() {}

  /** Whether the condition holds over {@code document}. */
  public abstract boolean test(JsonNode document);

  /** The steps the condition references. */
  public abstract Set<String> stepsRead();

  /** Compiles a condition; problems are added to {@code problems} (the result is then null). */
  static Condition compile(
      JsonNode node, String step, String path, List<PipelineProblem> problems) {
    String where = "step '" + step + "': ";
    if (node == null || !node.isObject() || node.isEmpty()) {
      problems.add(
          new PipelineProblem(
              step,
              path,
              where + "a condition is an object: {value, <op>} or {all|any: [...]} or {not: ...}"));
      return null;
    }
    if (node.has("all") || node.has("any")) {
      String kind = node.has("all") ? "all" : "any";
      JsonNode list = node.get(kind);
      if (node.size() != 1 || !list.isArray() || list.isEmpty()) {
        problems.add(
            new PipelineProblem(
                step, path, where + "'" + kind + "' takes a non-empty list of conditions, alone"));
        return null;
      }
      List<Condition> parts = new ArrayList<>();
      boolean bad = false;
      for (int i = 0; i < list.size(); i++) {
        // Compile every part, even after a bad one, so that all their problems are reported.
        Condition c = compile(list.get(i), step, path + "." + kind + "[" + i + "]", problems);
        bad |= c == null;
        parts.add(c);
      }
      return bad ? null : new Junction(kind.equals("all"), parts);
    }
    if (node.has("not")) {
      if (node.size() != 1) {
        problems.add(new PipelineProblem(step, path, where + "'not' takes one condition, alone"));
        return null;
      }
      Condition inner = compile(node.get("not"), step, path + ".not", problems);
      return inner == null ? null : new Not(inner);
    }
    JsonNode value = node.get("value");
    List<String> ops = new ArrayList<>();
    node.fieldNames().forEachRemaining(ops::add);
    ops.remove("value");
    if (value == null || ops.size() != 1 || !OPS.contains(ops.get(0))) {
      problems.add(
          new PipelineProblem(
              step,
              path,
              where
                  + "a comparison is {value: <template>, <op>: <literal>} with one op of "
                  + String.join(", ", OPS)
                  + "; got keys "
                  + fieldNames(node)));
      return null;
    }
    String op = ops.get(0);
    JsonNode operand = node.get(op);
    if (op.equals("in") && !operand.isArray()) {
      problems.add(new PipelineProblem(step, path + ".in", where + "'in' takes a list"));
      return null;
    }
    if (op.equals("exists") && !operand.isBoolean()) {
      problems.add(
          new PipelineProblem(step, path + ".exists", where + "'exists' takes true/false"));
      return null;
    }
    if (List.of("gt", "gte", "lt", "lte").contains(op)
        && !(operand.isNumber() || operand.isTextual())) {
      problems.add(
          new PipelineProblem(
              step, path + "." + op, where + "'" + op + "' compares with a number or a string"));
      return null;
    }
    Template t = Template.compile(value, step, path + ".value", problems);
    return new Compare(t, op, operand);
  }

  private static String fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names.toString();
  }

  private static final class Compare extends Condition {
    private final Template value;
    private final String op;
    private final JsonNode operand;

    Compare(Template value, String op, JsonNode operand) {
      this.value = value;
      this.op = op;
      this.operand = operand;
    }

    @Override
    public boolean test(JsonNode document) {
      JsonNode v = value.render(document);
      return switch (op) {
        case "exists" -> operand.booleanValue() == !v.isNull();
        case "eq" -> equal(v, operand);
        case "ne" -> !equal(v, operand);
        case "in" -> contains(operand, v);
        default -> ordered(compare(v, operand));
      };
    }

    private boolean ordered(Integer cmp) {
      if (cmp == null) {
        return false; // a missing or differently typed value never passes an ordering test
      }
      return switch (op) {
        case "gt" -> cmp > 0;
        case "gte" -> cmp >= 0;
        case "lt" -> cmp < 0;
        default -> cmp <= 0;
      };
    }

    private static boolean contains(JsonNode list, JsonNode v) {
      for (JsonNode o : list) {
        if (equal(v, o)) {
          return true;
        }
      }
      return false;
    }

    private static boolean equal(JsonNode a, JsonNode b) {
      if (a.isNumber() && b.isNumber()) {
        return compareNumbers(a, b) == 0;
      }
      return a.equals(b);
    }

    private static Integer compare(JsonNode a, JsonNode b) {
      if (a.isNumber() && b.isNumber()) {
        return compareNumbers(a, b);
      }
      if (a.isTextual() && b.isTextual()) {
        return a.textValue().compareTo(b.textValue());
      }
      return null;
    }

    /**
     * Exact for every finite number (30 equals 30.0); a JSON number beyond the double range (1e400)
     * parses as an infinite double, which has no decimal value and compares as a double.
     */
    private static int compareNumbers(JsonNode a, JsonNode b) {
      if (finite(a) && finite(b)) {
        return a.decimalValue().compareTo(b.decimalValue());
      }
      return Double.compare(a.doubleValue(), b.doubleValue());
    }

    private static boolean finite(JsonNode n) {
      return !n.isFloatingPointNumber() || n.isBigDecimal() || Double.isFinite(n.doubleValue());
    }

    @Override
    public Set<String> stepsRead() {
      return value.stepsRead();
    }
  }

  private static final class Junction extends Condition {
    private final boolean all;
    private final List<Condition> parts;

    Junction(boolean all, List<Condition> parts) {
      this.all = all;
      this.parts = List.copyOf(parts);
    }

    @Override
    public boolean test(JsonNode document) {
      for (Condition c : parts) {
        if (c.test(document) != all) {
          return !all;
        }
      }
      return all;
    }

    @Override
    public Set<String> stepsRead() {
      Set<String> out = new LinkedHashSet<>();
      parts.forEach(p -> out.addAll(p.stepsRead()));
      return out;
    }
  }

  private static final class Not extends Condition {
    private final Condition inner;

    Not(Condition inner) {
      this.inner = inner;
    }

    @Override
    public boolean test(JsonNode document) {
      return !inner.test(document);
    }

    @Override
    public Set<String> stepsRead() {
      return inner.stepsRead();
    }
  }
}
