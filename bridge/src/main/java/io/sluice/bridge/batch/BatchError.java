package io.sluice.bridge.batch;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One entry of a batch's {@code errors.data[]}, in OpenAI's shape: {@code {"code", "message",
 * "param", "line"}}.
 *
 * @param code a stable lower-case code ({@code invalid_json_line}, {@code duplicate_custom_id},
 *     {@code invalid_url}, {@code model_not_found}, ...)
 * @param message what is wrong, for a person
 * @param param the field at fault ({@code custom_id}, {@code body.messages[0].role}), or null
 * @param line the 1-based line of the input file, or null for an error of the whole batch
 */
public record BatchError(String code, String message, String param, Integer line) {
  /** {@code {"code","message","param","line"}}, nulls written as null as OpenAI does. */
  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("code", code);
    o.put("message", message);
    if (param == null) {
      o.putNull("param");
    } else {
      o.put("param", param);
    }
    if (line == null) {
      o.putNull("line");
    } else {
      o.put("line", line);
    }
    return o;
  }
}
