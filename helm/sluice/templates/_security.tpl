{{/*
Kafka and Schema Registry security, the same for every Sluice process (router, bridge, workers,
the apply Job): non-secret settings go into the ConfigMap ("sluice.security.config"), secrets only
into container env via secretKeyRef ("sluice.security.env"), and the truststores/keystores are
one projected volume mounted read-only at "sluice.tlsDir" ("sluice.tls.volume"/"sluice.tls.mount").
KEDA's TriggerAuthentication reads the same Secrets ("sluice.keda.secretTargetRef").
*/}}

{{- define "sluice.tlsDir" -}}/etc/sluice/tls{{- end -}}

{{- define "sluice.kafka.tls" -}}
{{- if has .Values.kafka.security.protocol (list "SSL" "SASL_SSL") -}}true{{- end -}}
{{- end -}}

{{- define "sluice.kafka.sasl" -}}
{{- if hasPrefix "SASL_" .Values.kafka.security.protocol -}}true{{- end -}}
{{- end -}}

{{/* Fails rendering on security values that cannot work; renders nothing. */}}
{{- define "sluice.security.validate" -}}
{{- $s := .Values.kafka.security -}}
{{- if and (include "sluice.kafka.sasl" .) (not $s.sasl.existingSecret) -}}
{{- fail (printf "kafka.security.sasl.existingSecret is required with kafka.security.protocol %s" $s.protocol) -}}
{{- end -}}
{{- if and (not (include "sluice.kafka.tls" .)) (or $s.truststore.existingSecret $s.keystore.existingSecret) -}}
{{- fail (printf "kafka.security.truststore and keystore are TLS settings: kafka.security.protocol %s does not use TLS (use SSL or SASL_SSL)" $s.protocol) -}}
{{- end -}}
{{- if .Values.keda.enabled -}}
{{- if and $s.truststore.existingSecret (ne $s.truststore.type "PEM") (not $s.truststore.kedaCaKey) -}}
{{- fail "kafka.security.truststore.kedaCaKey is required with a JKS/PKCS12 truststore and keda.enabled: KEDA reads the CA only as PEM (a key of the same Secret)" -}}
{{- end -}}
{{- if and $s.keystore.existingSecret (ne $s.keystore.type "PEM") (not (and $s.keystore.kedaCertKey $s.keystore.kedaKeyKey)) -}}
{{- fail "kafka.security.keystore.kedaCertKey and kedaKeyKey are required with a JKS/PKCS12 keystore and keda.enabled: KEDA reads the client certificate and key only as PEM (keys of the same Secret)" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* ConfigMap entries: every non-secret security setting. */}}
{{- define "sluice.security.config" -}}
{{- $s := .Values.kafka.security -}}
{{- $dir := include "sluice.tlsDir" . }}
SLUICE_KAFKA_CLIENT_SECURITY_PROTOCOL: {{ $s.protocol | quote }}
{{- if include "sluice.kafka.sasl" . }}
SLUICE_KAFKA_CLIENT_SASL_MECHANISM: {{ $s.sasl.mechanism | quote }}
{{- end }}
{{- if $s.truststore.existingSecret }}
SLUICE_KAFKA_CLIENT_SSL_TRUSTSTORE_LOCATION: {{ printf "%s/kafka/truststore" $dir | quote }}
SLUICE_KAFKA_CLIENT_SSL_TRUSTSTORE_TYPE: {{ $s.truststore.type | quote }}
{{- end }}
{{- if $s.keystore.existingSecret }}
SLUICE_KAFKA_CLIENT_SSL_KEYSTORE_LOCATION: {{ printf "%s/kafka/keystore" $dir | quote }}
SLUICE_KAFKA_CLIENT_SSL_KEYSTORE_TYPE: {{ $s.keystore.type | quote }}
{{- end }}
{{- with .Values.schemaRegistry.truststore }}
{{- if .existingSecret }}
SLUICE_SCHEMA_REGISTRY_SSL_TRUSTSTORE_LOCATION: {{ printf "%s/schema-registry/truststore" $dir | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "sluice.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret | quote }}
      key: {{ .key | quote }}
{{- end -}}

{{/* Container env entries (a YAML list, maybe empty): every secret, each from its Secret. */}}
{{- define "sluice.security.env" -}}
{{- $s := .Values.kafka.security -}}
{{- if include "sluice.kafka.sasl" . }}
{{ include "sluice.secretEnv" (dict "name" "SLUICE_KAFKA_SASL_USERNAME" "secret" $s.sasl.existingSecret "key" $s.sasl.usernameKey) }}
{{ include "sluice.secretEnv" (dict "name" "SLUICE_KAFKA_SASL_PASSWORD" "secret" $s.sasl.existingSecret "key" $s.sasl.passwordKey) }}
{{- end }}
{{- if and $s.truststore.existingSecret $s.truststore.passwordKey }}
{{ include "sluice.secretEnv" (dict "name" "SLUICE_KAFKA_CLIENT_SSL_TRUSTSTORE_PASSWORD" "secret" $s.truststore.existingSecret "key" $s.truststore.passwordKey) }}
{{- end }}
{{- if and $s.keystore.existingSecret $s.keystore.passwordKey }}
{{ include "sluice.secretEnv" (dict "name" "SLUICE_KAFKA_CLIENT_SSL_KEYSTORE_PASSWORD" "secret" $s.keystore.existingSecret "key" $s.keystore.passwordKey) }}
{{- end }}
{{- with .Values.schemaRegistry.auth }}
{{- if .existingSecret }}
{{- if .userInfoKey }}
{{ include "sluice.secretEnv" (dict "name" "SLUICE_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO" "secret" .existingSecret "key" .userInfoKey) }}
{{- else }}
{{- /* No SLUICE_ prefix: only the user-info below reads them ($(VAR) expansion by the kubelet). */}}
{{ include "sluice.secretEnv" (dict "name" "SCHEMA_REGISTRY_BASIC_AUTH_USER" "secret" .existingSecret "key" .usernameKey) }}
{{ include "sluice.secretEnv" (dict "name" "SCHEMA_REGISTRY_BASIC_AUTH_PASSWORD" "secret" .existingSecret "key" .passwordKey) }}
- name: SLUICE_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO
  value: "$(SCHEMA_REGISTRY_BASIC_AUTH_USER):$(SCHEMA_REGISTRY_BASIC_AUTH_PASSWORD)"
{{- end }}
{{- end }}
{{- end }}
{{- with .Values.schemaRegistry.truststore }}
{{- if and .existingSecret .passwordKey }}
{{ include "sluice.secretEnv" (dict "name" "SLUICE_SCHEMA_REGISTRY_SSL_TRUSTSTORE_PASSWORD" "secret" .existingSecret "key" .passwordKey) }}
{{- end }}
{{- end }}
{{- end -}}

{{/* "true" when some truststore or keystore is mounted. */}}
{{- define "sluice.tls.mounted" -}}
{{- if or .Values.kafka.security.truststore.existingSecret .Values.kafka.security.keystore.existingSecret .Values.schemaRegistry.truststore.existingSecret -}}true{{- end -}}
{{- end -}}

{{/* The volume (a list entry) holding every truststore and keystore, at fixed paths. */}}
{{- define "sluice.tls.volume" -}}
{{- $s := .Values.kafka.security -}}
- name: sluice-tls
  projected:
    sources:
      {{- with $s.truststore }}
      {{- if .existingSecret }}
      - secret:
          name: {{ .existingSecret | quote }}
          items:
            - key: {{ .key | quote }}
              path: kafka/truststore
      {{- end }}
      {{- end }}
      {{- with $s.keystore }}
      {{- if .existingSecret }}
      - secret:
          name: {{ .existingSecret | quote }}
          items:
            - key: {{ .key | quote }}
              path: kafka/keystore
      {{- end }}
      {{- end }}
      {{- with .Values.schemaRegistry.truststore }}
      {{- if .existingSecret }}
      - secret:
          name: {{ .existingSecret | quote }}
          items:
            - key: {{ .key | quote }}
              path: schema-registry/truststore
      {{- end }}
      {{- end }}
{{- end -}}

{{- define "sluice.tls.mount" -}}
- name: sluice-tls
  mountPath: {{ include "sluice.tlsDir" . }}
  readOnly: true
{{- end -}}

{{/* KEDA's Kafka scaler auth parameters from the same Secrets (a YAML list, maybe empty). */}}
{{- define "sluice.keda.secretTargetRef" -}}
{{- $s := .Values.kafka.security -}}
{{- if include "sluice.kafka.sasl" . }}
- parameter: username
  name: {{ $s.sasl.existingSecret | quote }}
  key: {{ $s.sasl.usernameKey | quote }}
- parameter: password
  name: {{ $s.sasl.existingSecret | quote }}
  key: {{ $s.sasl.passwordKey | quote }}
{{- end }}
{{- with $s.truststore }}
{{- if .existingSecret }}
- parameter: ca
  name: {{ .existingSecret | quote }}
  key: {{ default .key .kedaCaKey | quote }}
{{- end }}
{{- end }}
{{- with $s.keystore }}
{{- if .existingSecret }}
- parameter: cert
  name: {{ .existingSecret | quote }}
  key: {{ default .key .kedaCertKey | quote }}
- parameter: key
  name: {{ .existingSecret | quote }}
  key: {{ default .key .kedaKeyKey | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* KEDA's `sasl` value for the mechanism. */}}
{{- define "sluice.keda.sasl" -}}
{{- if include "sluice.kafka.sasl" . -}}
{{- get (dict "PLAIN" "plaintext" "SCRAM-SHA-256" "scram_sha256" "SCRAM-SHA-512" "scram_sha512") .Values.kafka.security.sasl.mechanism -}}
{{- else -}}none{{- end -}}
{{- end -}}
