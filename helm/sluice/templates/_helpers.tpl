{{- define "sluice.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "sluice.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "sluice.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "sluice.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: sluice
{{- end -}}

{{/* Selector labels; call with (dict "root" $ "component" "router"). */}}
{{- define "sluice.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sluice.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "sluice.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "sluice.configMapName" -}}
{{- printf "%s-config" (include "sluice.fullname" .) -}}
{{- end -}}

{{- define "sluice.apiKeysSecretName" -}}
{{- default (printf "%s-bridge-api-keys" (include "sluice.fullname" .)) .Values.bridge.auth.existingSecret -}}
{{- end -}}

{{- define "sluice.workerName" -}}
{{- printf "%s-worker-%s" (include "sluice.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Health probes on a named port; call with (dict "port" "management"), optionally with "period" and
"timeout" (seconds, both probes: a worker's healthCheck).
*/}}
{{- define "sluice.probes" -}}
livenessProbe:
  httpGet:
    path: /healthz
    port: {{ .port }}
  initialDelaySeconds: 10
  periodSeconds: {{ .period | default 10 }}
  {{- with .timeout }}
  timeoutSeconds: {{ . }}
  {{- end }}
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /readyz
    port: {{ .port }}
  periodSeconds: {{ .period | default 5 }}
  {{- with .timeout }}
  timeoutSeconds: {{ . }}
  {{- end }}
  failureThreshold: 2
{{- end -}}

{{- define "sluice.manifestConfigMapName" -}}
{{- printf "%s-manifest" (include "sluice.fullname" .) -}}
{{- end -}}

{{/* Where every pod that reads the manifest mounts it. */}}
{{- define "sluice.manifestDir" -}}/etc/sluice/manifest{{- end -}}
