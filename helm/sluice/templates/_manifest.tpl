{{/*
The manifest (sluice.yaml), read the way io.sluice.manifest.ManifestLoader reads it: checked
against its JSON Schema (files/sluice-manifest.schema.json, a copy of the manifest module's that
ValuesSchemaTest keeps equal), then the deployment checks of ManifestChecks, then bound with the
schema's defaults as ManifestBinder does, and derived as WorkerSettings and ScalingLaw do.
SluiceChartDerivationTest compares every number with the Java classes.

Call with (dict "root" $ "out" $m), $m a dict; the helper fills it (types kept, no YAML round
trip) and fails rendering on a bad manifest:
  present      whether a manifest was given
  text         its YAML, for the ConfigMap
  deployments  name -> the derived deployment (see sluice.manifest.deployment)
*/}}
{{- define "sluice.manifest.load" -}}
{{- $root := .root -}}
{{- $out := .out -}}
{{- $raw := get $root.Values "manifest" -}}
{{- $doc := dict -}}
{{- $text := "" -}}
{{- if kindIs "string" $raw -}}
  {{- if trim $raw -}}
    {{- $doc = fromYaml $raw -}}
    {{- if and (hasKey $doc "Error") (eq (len $doc) 1) -}}
      {{- fail (printf "manifest: not a YAML mapping: %v" (get $doc "Error")) -}}
    {{- end -}}
    {{- $text = $raw -}}
  {{- end -}}
{{- else if kindIs "map" $raw -}}
  {{- $doc = $raw -}}
  {{- $text = toYaml $raw -}}
{{- else if not (kindIs "invalid" $raw) -}}
  {{- fail "manifest: give the manifest's text (--set-file manifest=sluice.yaml) or the document itself" -}}
{{- end -}}
{{- $_ := set $out "present" (gt (len $text) 0) -}}
{{- $_ := set $out "text" $text -}}
{{- $_ := set $out "deployments" dict -}}
{{- if $out.present -}}
  {{- $schema := $root.Files.Get "files/sluice-manifest.schema.json" | fromJson -}}
  {{- $errors := dict "list" list -}}
  {{- $_ := include "sluice.schema.check" (dict "schema" $schema "value" $doc "path" "" "defs" $schema.definitions "errors" $errors) -}}
  {{- if not $errors.list -}}
    {{- range $name, $d := $doc.deployments -}}
      {{- $_ := include "sluice.manifest.checkDeployment" (dict "name" $name "d" $d "errors" $errors) -}}
    {{- end -}}
  {{- end -}}
  {{- if $errors.list -}}
    {{- fail (printf "the manifest is not valid (%d problem(s)):\n  %s" (len $errors.list) (join "\n  " $errors.list)) -}}
  {{- end -}}
  {{- $defaults := dict -}}
  {{- range $defName, $def := $schema.definitions -}}
    {{- $fields := dict -}}
    {{- range $field, $p := (get $def "properties" | default dict) -}}
      {{- if hasKey $p "default" -}}{{- $_ := set $fields $field (get $p "default") -}}{{- end -}}
    {{- end -}}
    {{- $_ := set $defaults $defName $fields -}}
  {{- end -}}
  {{- range $name, $d := $doc.deployments -}}
    {{- $_ := include "sluice.manifest.deployment" (dict "root" $root "name" $name "d" $d "defaults" $defaults "out" $out.deployments) -}}
  {{- end -}}
{{- end -}}
{{- end -}}

{{/*
One deployment, defaults filled in (ManifestBinder) and derived (WorkerSettings, ScalingLaw).
Integers are int64, so they print as written. Sets out[name] to a dict:
  name function partitions maxBatchSize maxWaitMs maxBatchTokens (int64 or nil) bulkMaxWaitMs
  settings      the worker's "key=value" pairs, WorkerSettings.of(spec, http://localhost:<vllm.port>)
  initialReplicas
  keda          lagThreshold minReplicaCount maxReplicaCount cooldownPeriod pollingInterval behavior
  resources     Kubernetes ResourceRequirements of the worker container (may be empty)
  gpu           nil, or count type args (vLLM's) env (EnvVar list)
  periodSeconds timeoutSeconds gracefulShutdownSeconds
  apiKeySecret  nil, or {name, key}
*/}}
{{- define "sluice.manifest.deployment" -}}
{{- $name := .name -}}
{{- $d := .d -}}
{{- $defaults := .defaults -}}
{{- $b := get $d "backend" | default dict -}}
{{- $bt := get $d "batching" | default dict -}}
{{- $s := get $d "scaling" | default dict -}}
{{- $h := get $d "healthCheck" | default dict -}}
{{- $mbs := int64 (dig "maxBatchSize" $defaults.batching.maxBatchSize $bt) -}}
{{- $mw := int64 (dig "maxWaitMs" $defaults.batching.maxWaitMs $bt) -}}
{{- /* BulkWait.resolve: bulkMaxWaitMs, else the larger of maxWaitMs and 100 (BulkWait.DEFAULT_FLOOR_MS). */ -}}
{{- $bulk := int64 (dig "bulkMaxWaitMs" (max $mw 100) $bt) -}}
{{- $min := int64 (dig "minReplicas" $defaults.scaling.minReplicas $s) -}}
{{- $max := int64 (dig "maxReplicas" $defaults.scaling.maxReplicas $s) -}}
{{- $downDelay := int64 (dig "downscaleDelaySeconds" $defaults.scaling.downscaleDelaySeconds $s) -}}
{{- $maxOngoing := int64 (dig "maxOngoingRequests" $mbs $d) -}}
{{- $drain := int64 (dig "gracefulShutdownSeconds" $defaults.deployment.gracefulShutdownSeconds $d) -}}
{{- /* DeploymentSpec.lagThreshold(); 10 is DeploymentSpec.DEFAULT_LAG_PER_REPLICA. */ -}}
{{- $lag := int64 10 -}}
{{- if hasKey $s "targetLagPerReplica" -}}
  {{- $lag = int64 $s.targetLagPerReplica -}}
{{- else if hasKey $s "targetOngoingRequests" -}}
  {{- $lag = max 1 (int64 (round (divf $s.targetOngoingRequests $mbs) 0)) -}}
{{- end -}}
{{- /* ScalingLaw.of: Percent policies per 15 s (round(factor x 100), at least 1); 4 pods too when scaling up by a factor >= 1. */ -}}
{{- $upFactor := float64 (dig "upscalingFactor" $defaults.scaling.upscalingFactor $s) -}}
{{- $downFactor := float64 (dig "downscalingFactor" $defaults.scaling.downscalingFactor $s) -}}
{{- $upPolicies := list (dict "type" "Percent" "value" (include "sluice.manifest.percent" $upFactor | int64) "periodSeconds" 15) -}}
{{- if ge $upFactor 1.0 -}}
  {{- $upPolicies = append $upPolicies (dict "type" "Pods" "value" 4 "periodSeconds" 15) -}}
{{- end -}}
{{- $behavior := dict
      "scaleUp" (dict
        "stabilizationWindowSeconds" (int64 (dig "upscaleDelaySeconds" $defaults.scaling.upscaleDelaySeconds $s))
        "selectPolicy" "Max"
        "policies" $upPolicies)
      "scaleDown" (dict
        "stabilizationWindowSeconds" $downDelay
        "selectPolicy" "Max"
        "policies" (list (dict "type" "Percent" "value" (include "sluice.manifest.percent" $downFactor | int64) "periodSeconds" 15))) -}}
{{- $keda := dict
      "lagThreshold" $lag
      "minReplicaCount" $min
      "maxReplicaCount" $max
      "cooldownPeriod" (int64 (dig "downscaleToZeroDelaySeconds" $downDelay $s))
      "pollingInterval" (int64 (dig "pollingIntervalSeconds" $defaults.scaling.pollingIntervalSeconds $s))
      "behavior" $behavior -}}
{{- /* WorkerSettings.of(spec, "http://localhost:<vllm.port>"), in its order. */ -}}
{{- $g := get $d "gpu" -}}
{{- $model := get $b "model" | default (and $g (get $g "model")) -}}
{{- $url := get $b "url" | default (and $g (printf "http://localhost:%d" (int64 .root.Values.vllm.port))) -}}
{{- $settings := list
      (printf "sluice.worker.deployment=%s" $name)
      (printf "sluice.worker.function=%s" $d.function)
      (printf "sluice.worker.delivery=%s" (dig "delivery" $defaults.deployment.delivery $d))
      (printf "sluice.worker.max-ongoing-requests=%d" $maxOngoing)
      (printf "sluice.worker.max-batch-size=%d" $mbs)
      (printf "sluice.worker.drain-seconds=%d" $drain)
      (printf "sluice.worker.backend-timeout-ms=%d" (int64 (dig "timeoutMs" $defaults.backend.timeoutMs $b))) -}}
{{- if $url -}}{{- $settings = append $settings (printf "sluice.worker.backend-url=%s" $url) -}}{{- end -}}
{{- if $model -}}{{- $settings = append $settings (printf "sluice.worker.model=%s" $model) -}}{{- end -}}
{{- range $k, $v := (get $d "params" | default dict) -}}
  {{- $settings = append $settings (printf "sluice.function.%s=%s" $k (include "sluice.manifest.scalar" $v)) -}}
{{- end -}}
{{- /* resources: cpu a request; memory a request and the limit. */ -}}
{{- $resources := dict -}}
{{- with get $d "resources" -}}
  {{- $requests := dict -}}
  {{- with get . "cpu" }}{{ $_ := set $requests "cpu" . }}{{ end -}}
  {{- with get . "memory" }}{{ $_ := set $requests "memory" . }}{{ $_ := set $resources "limits" (dict "memory" .) }}{{ end -}}
  {{- if $requests }}{{ $_ := set $resources "requests" $requests }}{{ end -}}
{{- end -}}
{{- $gpu := "" -}}
{{- if $g -}}
  {{- $count := int64 (dig "count" $defaults.gpu.count $g) -}}
  {{- $tp := int64 (dig "tensorParallelSize" $count $g) -}}
  {{- $args := list "--model" $g.model "--port" (printf "%d" (int64 .root.Values.vllm.port)) -}}
  {{- if and (get $b "model") (ne (get $b "model") $g.model) -}}
    {{- /* The worker asks for backend.model: serve the model under that name. */ -}}
    {{- $args = concat $args (list "--served-model-name" (get $b "model")) -}}
  {{- end -}}
  {{- if hasKey $g "maxModelLen" }}{{ $args = concat $args (list "--max-model-len" (printf "%d" (int64 $g.maxModelLen))) }}{{ end -}}
  {{- if hasKey $g "gpuMemoryUtilization" }}{{ $args = concat $args (list "--gpu-memory-utilization" (toString $g.gpuMemoryUtilization)) }}{{ end -}}
  {{- if gt $tp 1 }}{{ $args = concat $args (list "--tensor-parallel-size" (printf "%d" $tp)) }}{{ end -}}
  {{- $args = concat $args (get $g "extraArgs" | default list) -}}
  {{- $env := list -}}
  {{- range $k, $v := (get $g "env" | default dict) -}}
    {{- if kindIs "string" $v -}}
      {{- $env = append $env (dict "name" $k "value" $v) -}}
    {{- else -}}
      {{- $env = append $env (dict "name" $k "valueFrom" (dict "secretKeyRef" (dict "name" $v.secretName "key" $v.secretKey))) -}}
    {{- end -}}
  {{- end -}}
  {{- $gpu = dict "count" $count "type" (get $g "type") "args" $args "env" $env -}}
{{- end -}}
{{- $_ := set .out $name (dict
      "name" $name
      "function" $d.function
      "partitions" (int64 (dig "partitions" $max $d))
      "maxBatchSize" $mbs
      "maxWaitMs" $mw
      "maxBatchTokens" (and (hasKey $bt "maxBatchTokens") (int64 $bt.maxBatchTokens))
      "bulkMaxWaitMs" $bulk
      "settings" $settings
      "initialReplicas" (int64 (dig "initialReplicas" $min $s))
      "keda" $keda
      "resources" $resources
      "gpu" $gpu
      "periodSeconds" (int64 (dig "periodSeconds" $defaults.healthCheck.periodSeconds $h))
      "timeoutSeconds" (int64 (dig "timeoutSeconds" $defaults.healthCheck.timeoutSeconds $h))
      "gracefulShutdownSeconds" $drain
      "apiKeySecret" (get $b "apiKeySecret")) -}}
{{- end -}}

{{/*
ScalingLaw.percent: max(1, Math.round(factor * 100)). `round f 2` multiplies by 100 in float64 and
rounds half up, as Java does (mulf would multiply decimals: 0.145 would give 15, Java gives 14);
mulf then only turns k/100 back into k, which is exact.
*/}}
{{- define "sluice.manifest.percent" -}}
{{- max 1 (int64 (mulf (round . 2) 100)) -}}
{{- end -}}

{{/* A params value as the worker gets it (Jackson's asText): integers without a fraction. */}}
{{- define "sluice.manifest.scalar" -}}
{{- if and (kindIs "float64" .) (eq (float64 (int64 .)) .) -}}
{{- printf "%d" (int64 .) -}}
{{- else -}}
{{- toString . -}}
{{- end -}}
{{- end -}}

{{/*
What the schema cannot say about a deployment, as ManifestChecks says it. The app checks
(references, weights, stickiness, reply topics) are left to `sluice apply`, which the hook Job runs:
the chart renders no app.
*/}}
{{- define "sluice.manifest.checkDeployment" -}}
{{- $at := printf "deployments.%s" .name -}}
{{- $d := .d -}}
{{- $errors := .errors -}}
{{- $s := get $d "scaling" | default dict -}}
{{- $min := int64 (dig "minReplicas" 0 $s) -}}
{{- $max := int64 (dig "maxReplicas" 4 $s) -}}
{{- if gt $min $max -}}
  {{- $_ := set $errors "list" (append $errors.list (printf "%s.scaling.minReplicas: %d is more than maxReplicas (%d)" $at $min $max)) -}}
{{- end -}}
{{- if hasKey $s "initialReplicas" -}}
  {{- $initial := int64 $s.initialReplicas -}}
  {{- if or (lt $initial $min) (gt $initial $max) -}}
    {{- $_ := set $errors "list" (append $errors.list (printf "%s.scaling.initialReplicas: %d is outside minReplicas..maxReplicas (%d..%d)" $at $initial $min $max)) -}}
  {{- end -}}
{{- end -}}
{{- if and (hasKey $s "targetLagPerReplica") (hasKey $s "targetOngoingRequests") -}}
  {{- $_ := set $errors "list" (append $errors.list (printf "%s.scaling.targetOngoingRequests: give targetLagPerReplica or targetOngoingRequests, not both" $at)) -}}
{{- end -}}
{{- if and (hasKey $d "partitions") (lt (int64 $d.partitions) $max) -}}
  {{- $_ := set $errors "list" (append $errors.list (printf "%s.partitions: %d is fewer than scaling.maxReplicas (%d): no more replicas than partitions can consume; use at least %d" $at (int64 $d.partitions) $max $max)) -}}
{{- end -}}
{{- $bt := get $d "batching" | default dict -}}
{{- if hasKey $bt "bulkMaxWaitMs" -}}
  {{- /* BulkWait.problem; the schema has checked 0..60000. 10 is the schema's maxWaitMs default. */ -}}
  {{- $mw := int64 (dig "maxWaitMs" 10 $bt) -}}
  {{- $bulk := int64 $bt.bulkMaxWaitMs -}}
  {{- if lt $bulk $mw -}}
    {{- $_ := set $errors "list" (append $errors.list (printf "%s.batching.bulkMaxWaitMs: %d is less than maxWaitMs (%d): BULK batches may not flush sooner than interactive ones; use at least %d, or leave it out for the larger of maxWaitMs and 100" $at $bulk $mw $mw)) -}}
  {{- end -}}
{{- end -}}
{{- $g := get $d "gpu" -}}
{{- if and $g (hasKey $g "tensorParallelSize") -}}
  {{- $count := int64 (dig "count" 1 $g) -}}
  {{- $tp := int64 $g.tensorParallelSize -}}
  {{- if or (gt $tp $count) (ne (mod $count $tp) 0) -}}
    {{- $_ := set $errors "list" (append $errors.list (printf "%s.gpu.tensorParallelSize: %d must divide gpu.count (%d)" $at $tp $count)) -}}
  {{- end -}}
{{- end -}}
{{- if and $g (hasKey (get $d "backend" | default dict) "url") -}}
  {{- $_ := set $errors "list" (append $errors.list (printf "%s.backend.url: a deployment with gpu calls its own vLLM sidecar; drop backend.url or gpu" $at)) -}}
{{- end -}}
{{- end -}}

{{/*
Checks a value against a node of the manifest schema: the part of draft-07 the schema uses
($ref, type, enum, const, pattern, minLength, maxLength, minimum, maximum, exclusiveMinimum,
properties, additionalProperties, required, propertyNames, minProperties, items, minItems,
maxItems, oneOf). Call with (dict "schema" S "value" V "path" "a.b" "defs" DEFINITIONS "errors" E);
messages are appended to E.list, worded as ManifestLoader words them.
*/}}
{{- define "sluice.schema.check" -}}
{{- $s := .schema -}}
{{- $defs := .defs -}}
{{- $errors := .errors -}}
{{- if hasKey $s "$ref" -}}
  {{- $s = get $defs (trimPrefix "#/definitions/" (get $s "$ref")) -}}
{{- end -}}
{{- $v := .value -}}
{{- $path := .path -}}
{{- $at := .path | default "(the file)" -}}
{{- $kind := include "sluice.schema.kind" $v -}}
{{- $ok := true -}}
{{- if hasKey $s "type" -}}
  {{- $types := get $s "type" -}}
  {{- if kindIs "string" $types }}{{ $types = list $types }}{{ end -}}
  {{- $match := false -}}
  {{- range $types -}}
    {{- if or (eq . $kind) (and (eq . "number") (eq $kind "integer")) }}{{ $match = true }}{{ end -}}
  {{- end -}}
  {{- if not $match -}}
    {{- $_ := set $errors "list" (append $errors.list (printf "%s: %s found, %s expected" $at $kind (join " or " $types))) -}}
    {{- $ok = false -}}
  {{- end -}}
{{- end -}}
{{- if $ok -}}
  {{- if hasKey $s "const" -}}
    {{- if ne (toJson $v) (toJson (get $s "const")) -}}
      {{- $_ := set $errors "list" (append $errors.list (printf "%s: '%v' is not allowed: must be %s" $at $v (toJson (get $s "const")))) -}}
    {{- end -}}
  {{- end -}}
  {{- if hasKey $s "enum" -}}
    {{- $found := false -}}
    {{- range (get $s "enum") }}{{ if eq (toJson .) (toJson $v) }}{{ $found = true }}{{ end }}{{ end -}}
    {{- if not $found -}}
      {{- $_ := set $errors "list" (append $errors.list (printf "%s: '%v' is not allowed: must be one of %s" $at $v (toJson (get $s "enum")))) -}}
    {{- end -}}
  {{- end -}}
  {{- if eq $kind "string" -}}
    {{- if and (hasKey $s "pattern") (not (regexMatch (get $s "pattern") $v)) -}}
      {{- $_ := set $errors "list" (append $errors.list (printf "%s: '%s' is not allowed: %s" $at $v (get $s "description" | default (printf "must match %s" (get $s "pattern"))))) -}}
    {{- end -}}
    {{- $length := len (splitList "" $v) -}}
    {{- if and (hasKey $s "minLength") (lt (float64 $length) (float64 (get $s "minLength"))) -}}
      {{- $_ := set $errors "list" (append $errors.list (printf "%s: must be at least %v characters long" $at (get $s "minLength"))) -}}
    {{- end -}}
    {{- if and (hasKey $s "maxLength") (gt (float64 $length) (float64 (get $s "maxLength"))) -}}
      {{- $_ := set $errors "list" (append $errors.list (printf "%s: must be at most %v characters long" $at (get $s "maxLength"))) -}}
    {{- end -}}
  {{- end -}}
  {{- if or (eq $kind "integer") (eq $kind "number") -}}
    {{- $n := float64 $v -}}
    {{- if and (hasKey $s "minimum") (lt $n (float64 (get $s "minimum"))) -}}
      {{- $_ := set $errors "list" (append $errors.list (printf "%s: %v is less than the minimum %v" $at $v (get $s "minimum"))) -}}
    {{- end -}}
    {{- if and (hasKey $s "maximum") (gt $n (float64 (get $s "maximum"))) -}}
      {{- $_ := set $errors "list" (append $errors.list (printf "%s: %v is more than the maximum %v" $at $v (get $s "maximum"))) -}}
    {{- end -}}
    {{- if and (hasKey $s "exclusiveMinimum") (le $n (float64 (get $s "exclusiveMinimum"))) -}}
      {{- $_ := set $errors "list" (append $errors.list (printf "%s: %v must be more than %v" $at $v (get $s "exclusiveMinimum"))) -}}
    {{- end -}}
  {{- end -}}
  {{- if eq $kind "object" -}}
    {{- $properties := get $s "properties" | default dict -}}
    {{- range (get $s "required" | default list) -}}
      {{- if not (hasKey $v .) -}}
        {{- $_ := set $errors "list" (append $errors.list (printf "%s: '%s' is required here" $at .)) -}}
      {{- end -}}
    {{- end -}}
    {{- if and (hasKey $s "minProperties") (lt (float64 (len $v)) (float64 (get $s "minProperties"))) -}}
      {{- $_ := set $errors "list" (append $errors.list (printf "%s: at least %v entries are required" $at (get $s "minProperties"))) -}}
    {{- end -}}
    {{- range $key, $child := $v -}}
      {{- $childPath := ternary $key (printf "%s.%s" $path $key) (eq $path "") -}}
      {{- with (get $s "propertyNames") -}}
        {{- $_ := include "sluice.schema.check" (dict "schema" . "value" $key "path" $childPath "defs" $defs "errors" $errors) -}}
      {{- end -}}
      {{- if hasKey $properties $key -}}
        {{- $_ := include "sluice.schema.check" (dict "schema" (get $properties $key) "value" $child "path" $childPath "defs" $defs "errors" $errors) -}}
      {{- else if hasKey $s "additionalProperties" -}}
        {{- $additional := get $s "additionalProperties" -}}
        {{- if kindIs "bool" $additional -}}
          {{- if not $additional -}}
            {{- $_ := set $errors "list" (append $errors.list (printf "%s: unknown key '%s'; allowed here: %s" $childPath $key (join ", " (keys $properties | sortAlpha)))) -}}
          {{- end -}}
        {{- else -}}
          {{- $_ := include "sluice.schema.check" (dict "schema" $additional "value" $child "path" $childPath "defs" $defs "errors" $errors) -}}
        {{- end -}}
      {{- end -}}
    {{- end -}}
  {{- end -}}
  {{- if eq $kind "array" -}}
    {{- if and (hasKey $s "minItems") (lt (float64 (len $v)) (float64 (get $s "minItems"))) -}}
      {{- $_ := set $errors "list" (append $errors.list (printf "%s: at least %v items are required" $at (get $s "minItems"))) -}}
    {{- end -}}
    {{- if and (hasKey $s "maxItems") (gt (float64 (len $v)) (float64 (get $s "maxItems"))) -}}
      {{- $_ := set $errors "list" (append $errors.list (printf "%s: at most %v items are allowed" $at (get $s "maxItems"))) -}}
    {{- end -}}
    {{- with (get $s "items") -}}
      {{- $items := . -}}
      {{- range $i, $item := $v -}}
        {{- $_ := include "sluice.schema.check" (dict "schema" $items "value" $item "path" (printf "%s[%d]" $path $i) "defs" $defs "errors" $errors) -}}
      {{- end -}}
    {{- end -}}
  {{- end -}}
  {{- with (get $s "oneOf") -}}
    {{- $matches := 0 -}}
    {{- $near := list -}}
    {{- range . -}}
      {{- $trial := dict "list" list -}}
      {{- $_ := include "sluice.schema.check" (dict "schema" . "value" $v "path" $path "defs" $defs "errors" $trial) -}}
      {{- if not $trial.list }}{{ $matches = add1 $matches }}{{ end -}}
      {{- /* A form of the value's own type: its problems say what is wrong. */ -}}
      {{- $form := . -}}
      {{- if hasKey $form "$ref" }}{{ $form = get $defs (trimPrefix "#/definitions/" (get $form "$ref")) }}{{ end -}}
      {{- $types := get $form "type" | default $kind -}}
      {{- if kindIs "string" $types }}{{ $types = list $types }}{{ end -}}
      {{- if or (has $kind $types) (and (eq $kind "integer") (has "number" $types)) -}}
        {{- $near = concat $near $trial.list -}}
      {{- end -}}
    {{- end -}}
    {{- if ne $matches 1 -}}
      {{- $_ := set $errors "list" (append $errors.list (printf "%s: must match exactly one of %d forms, matches %d" $at (len .) $matches)) -}}
      {{- if eq $matches 0 }}{{ $_ := set $errors "list" (concat $errors.list $near) }}{{ end -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
{{- end -}}

{{/* A value's JSON Schema type: object, array, string, boolean, integer, number or null. */}}
{{- define "sluice.schema.kind" -}}
{{- if kindIs "map" . -}}object
{{- else if kindIs "slice" . -}}array
{{- else if kindIs "string" . -}}string
{{- else if kindIs "bool" . -}}boolean
{{- else if kindIs "invalid" . -}}null
{{- else if or (kindIs "float64" .) (kindIs "float32" .) -}}{{ if eq (float64 (int64 .)) (float64 .) }}integer{{ else }}number{{ end }}
{{- else -}}integer
{{- end -}}
{{- end -}}
