package io.sluice.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every object the chart renders is a valid object of its kind, checked strictly, beyond {@code
 * helm lint}: the API server would silently drop a field it does not know (a misspelled probe key,
 * say), so a misspelling must fail here.
 *
 * <ul>
 *   <li>Kubernetes kinds are read into fabric8's typed API models ({@code kubernetes-model-*},
 *       generated from the Kubernetes OpenAPI spec): a wrong type fails to deserialize, and a field
 *       the type does not have lands in the model's {@code additionalProperties}, which must stay
 *       empty all the way down.
 *   <li>KEDA's ScaledObject and TriggerAuthentication, and the Prometheus Operator's ServiceMonitor
 *       and PrometheusRule, are validated against JSON Schemas in {@code
 *       src/test/resources/schemas/} with every object closed. No package on Maven Central or npm
 *       ships KEDA's CRD openAPIV3Schema as data (npm's {@code @kubernetes-models/keda} has
 *       compiled validators and TypeScript types), so the schemas were written from those types and
 *       the projects' documented fields; their metadata is read into the typed ObjectMeta.
 * </ul>
 */
class KubernetesTypesTest {

  /**
   * Jackson as fabric8's models declare them, plus one thing the API server does that fabric8's
   * plain mapping does not: a resource Quantity given as a JSON number ({@code nvidia.com/gpu: 1})
   * is read as its text, as Kubernetes' {@code Quantity.UnmarshalJSON} reads it.
   */
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(
              new SimpleModule("quantity-as-number")
                  .addDeserializer(
                      Quantity.class,
                      new JsonDeserializer<>() {
                        @Override
                        public Quantity deserialize(JsonParser p, DeserializationContext ctxt)
                            throws IOException {
                          if (p.currentToken().isScalarValue()
                              && p.currentToken() != JsonToken.VALUE_TRUE
                              && p.currentToken() != JsonToken.VALUE_FALSE
                              && p.currentToken() != JsonToken.VALUE_NULL) {
                            return new Quantity(p.getValueAsString());
                          }
                          return (Quantity) ctxt.handleUnexpectedToken(Quantity.class, p);
                        }
                      }));

  private static final Map<String, Class<? extends KubernetesResource>> TYPED =
      Map.of(
          "ConfigMap", ConfigMap.class,
          "Secret", Secret.class,
          "Service", Service.class,
          "Deployment", Deployment.class,
          "Job", Job.class);

  private static final Map<String, Schema> SCHEMAS =
      Map.of(
          "ScaledObject", schema("keda.schema.json", "ScaledObject"),
          "TriggerAuthentication", schema("keda.schema.json", "TriggerAuthentication"),
          "ServiceMonitor", schema("monitoring.schema.json", "ServiceMonitor"),
          "PrometheusRule", schema("monitoring.schema.json", "PrometheusRule"));

  /** Every optional object on: TLS and SASL from Secrets, alerts, the ServiceMonitor. */
  private static final String EVERYTHING_ON =
      """
      kafka:
        bootstrapServers: "broker:9093"
        security:
          protocol: SASL_SSL
          sasl:
            mechanism: SCRAM-SHA-512
            existingSecret: kafka-creds
            usernameKey: user
            passwordKey: pass
          truststore:
            existingSecret: kafka-ca
            key: ca.crt
      schemaRegistry:
        url: "https://registry:8081"
        auth:
          existingSecret: registry-creds
          userInfoKey: user-info
      serviceMonitor:
        enabled: true
      alerts:
        enabled: true
      """;

  @TempDir Path dir;
  private Path chart;

  @BeforeEach
  void chartWithHooks() {
    chart = Chart.withHooksRendered(dir); // the apply Job is a hook: render it as an object
  }

  @Test
  void everyObjectOfTheDefaultsTheExampleAndEveryKeyIsValidForItsKind() {
    List<Rendered> renders =
        List.of(
            Chart.template(chart, dir, "{}", null),
            Chart.template(chart, dir, EVERYTHING_ON, Chart.EXAMPLE),
            Chart.template(chart, dir, EVERYTHING_ON, Chart.EVERY_KEY));
    Set<String> kinds = new TreeSet<>();
    List<String> problems = new ArrayList<>();
    for (Rendered r : renders) {
      for (JsonNode object : r.manifests()) {
        kinds.add(object.path("kind").asText());
        problems.addAll(problems(object));
      }
    }

    assertThat(problems).isEmpty();
    // Each kind the chart can render was seen, so none escapes the check.
    assertThat(kinds)
        .containsExactlyInAnyOrder(
            "ConfigMap",
            "Secret",
            "Service",
            "Deployment",
            "Job",
            "ScaledObject",
            "TriggerAuthentication",
            "ServiceMonitor",
            "PrometheusRule");
  }

  @Test
  void aMisspelledOrMistypedFieldFailsInEveryKind() {
    Rendered r = Chart.template(chart, dir, EVERYTHING_ON, Chart.EXAMPLE);
    JsonNode worker = r.get("Deployment", "sluice-worker-chat-a");

    // A probe key misspelled deep inside the pod template.
    ObjectNode probe = worker.deepCopy();
    container(probe, 0).withObjectProperty("readinessProbe").put("periodSecond", 5);
    assertThat(problems(probe))
        .singleElement()
        .asString()
        .contains("Deployment/sluice-worker-chat-a")
        .contains("spec.template.spec.containers[0].readinessProbe")
        .contains("periodSecond");
    // A wrong type: the model refuses it.
    ObjectNode replicas = worker.deepCopy();
    ((ObjectNode) replicas.path("spec")).put("replicas", "two");
    assertThat(problems(replicas)).singleElement().asString().contains("not a Deployment");
    // Metadata is typed for every kind, KEDA's too.
    ObjectNode label = r.get("ScaledObject", "sluice-worker-chat-a").deepCopy();
    label.withObjectProperty("metadata").put("label", "x");
    assertThat(problems(label)).singleElement().asString().contains("metadata").contains("label");

    ObjectNode scaled = r.get("ScaledObject", "sluice-worker-chat-a").deepCopy();
    scaled.withObjectProperty("spec").put("pollingIntervall", 30);
    assertThat(problems(scaled)).singleElement().asString().contains("pollingIntervall");
    ObjectNode behavior = r.get("ScaledObject", "sluice-worker-chat-a").deepCopy();
    ((ObjectNode)
            behavior
                .path("spec")
                .path("advanced")
                .path("horizontalPodAutoscalerConfig")
                .path("behavior")
                .path("scaleDown"))
        .put("stabilisationWindowSeconds", 60);
    assertThat(problems(behavior))
        .singleElement()
        .asString()
        .contains("stabilisationWindowSeconds");

    ObjectNode auth = r.get("TriggerAuthentication", "sluice-kafka").deepCopy();
    ((ObjectNode) auth.path("spec").path("secretTargetRef").get(0)).put("paramter", "sasl");
    assertThat(problems(auth)).singleElement().asString().contains("paramter");

    ObjectNode monitor = r.get("ServiceMonitor", "sluice").deepCopy();
    ((ObjectNode) monitor.path("spec").path("endpoints").get(0)).put("intervall", "15s");
    assertThat(problems(monitor)).singleElement().asString().contains("intervall");
    ObjectNode rule = r.get("PrometheusRule", "sluice-alerts").deepCopy();
    ((ObjectNode) rule.path("spec").path("groups").get(0).path("rules").get(0)).put("fro", "5m");
    assertThat(problems(rule)).singleElement().asString().contains("fro");

    // The unchanged objects pass, so each failure above is the one field.
    assertThat(problems(worker)).isEmpty();
    assertThat(problems(r.get("TriggerAuthentication", "sluice-kafka"))).isEmpty();
  }

  private static ObjectNode container(ObjectNode deployment, int i) {
    return (ObjectNode)
        deployment.path("spec").path("template").path("spec").path("containers").get(i);
  }

  /** What is wrong with one rendered object, each problem naming the object and the field. */
  static List<String> problems(JsonNode object) {
    String kind = object.path("kind").asText();
    String id = kind + "/" + object.path("metadata").path("name").asText();
    List<String> out = new ArrayList<>();
    Class<? extends KubernetesResource> type = TYPED.get(kind);
    if (type != null) {
      try {
        unknownFields(JSON.treeToValue(object, type), "", out);
      } catch (IOException e) {
        out.add(id + ": not a " + kind + ": " + e.getMessage().lines().findFirst().orElse(""));
      }
    } else if (SCHEMAS.containsKey(kind)) {
      SCHEMAS.get(kind).validate(object).forEach(e -> out.add(e.toString()));
      try {
        unknownFields(JSON.treeToValue(object.path("metadata"), ObjectMeta.class), "metadata", out);
      } catch (IOException e) {
        out.add(id + ": metadata is not an ObjectMeta: " + e.getMessage());
      }
    } else {
      out.add(id + ": no type or schema checks kind " + kind + "; add one to " + "this test");
    }
    return out.stream().map(p -> p.startsWith(id) ? p : id + ": " + p).toList();
  }

  /**
   * Walks a fabric8 model: every {@code additionalProperties} on the way must be empty (Jackson
   * puts there what the type does not declare).
   */
  private static void unknownFields(Object model, String path, List<String> out) {
    if (model == null) {
      return;
    }
    if (model instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        unknownFields(list.get(i), path + "[" + i + "]", out);
      }
      return;
    }
    if (model instanceof Map<?, ?> map) {
      map.forEach((k, v) -> unknownFields(v, path + "." + k, out));
      return;
    }
    if (!model.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
      return; // strings, numbers, IntOrString's and Quantity's values
    }
    for (Method m : model.getClass().getMethods()) {
      if (m.getParameterCount() != 0
          || Modifier.isStatic(m.getModifiers())
          || !m.getName().startsWith("get")
          || m.getName().equals("getClass")) {
        continue;
      }
      Object value;
      try {
        value = m.invoke(model);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException(m.toString(), e);
      }
      if (m.getName().equals("getAdditionalProperties")) {
        Map<?, ?> extra = (Map<?, ?>) value;
        if (extra != null && !extra.isEmpty()) {
          out.add(
              (path.isEmpty() ? "" : path.startsWith(".") ? path.substring(1) : path)
                  + ": unknown field(s) "
                  + extra.keySet());
        }
        continue;
      }
      String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
      unknownFields(value, path + "." + field, out);
    }
  }

  private static Schema schema(String file, String definition) {
    try {
      ObjectNode root =
          (ObjectNode) JSON.readTree(Files.readString(Path.of("src/test/resources/schemas", file)));
      // The definition as the root, its siblings still reachable through #/definitions/...
      ObjectNode s = root.deepCopy();
      s.remove("definitions");
      s.setAll((ObjectNode) root.path("definitions").path(definition));
      s.set("definitions", root.path("definitions"));
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
          .getSchema(JSON.writeValueAsString(s), InputFormat.JSON);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
