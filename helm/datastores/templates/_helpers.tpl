{{/*
The chart's name, or nameOverride.
*/}}
{{- define "datastores.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
A name for the release's objects, at most 63 characters (the DNS label limit).
*/}}
{{- define "datastores.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "datastores.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "datastores.labels" -}}
helm.sh/chart: {{ include "datastores.chart" . }}
{{ include "datastores.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "datastores.selectorLabels" -}}
app.kubernetes.io/name: {{ include "datastores.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "datastores.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "datastores.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "datastores.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/*
The Secret holding the PostgreSQL password: the user's, or the chart's.
*/}}
{{- define "datastores.postgresql.secretName" -}}
{{- default (include "datastores.fullname" .) .Values.postgresql.existingSecret }}
{{- end }}

{{/*
The Secret holding the Redis password, when there is one: the user's, or the chart's.
*/}}
{{- define "datastores.redis.secretName" -}}
{{- default (include "datastores.fullname" .) .Values.redis.existingSecret }}
{{- end }}

{{- define "datastores.postgresql.hasPassword" -}}
{{- if or .Values.postgresql.existingSecret .Values.postgresql.password }}true{{ end }}
{{- end }}

{{- define "datastores.redis.hasPassword" -}}
{{- if or .Values.redis.existingSecret .Values.redis.password }}true{{ end }}
{{- end }}

{{/*
Whether the chart creates its own Secret: only for passwords given as values.
*/}}
{{- define "datastores.createSecret" -}}
{{- if or (and (not .Values.postgresql.existingSecret) .Values.postgresql.password) (and (not .Values.redis.existingSecret) .Values.redis.password) }}true{{ end }}
{{- end }}

{{/*
The service's non-secret settings as environment variables, as YAML key: value lines. The
Deployment reads them from the ConfigMap; the migration Job, which runs before the ConfigMap
exists, gets them inline.
*/}}
{{- define "datastores.settings" -}}
{{- $pg := .Values.postgresql }}
{{- if and (eq .Values.redis.clientType "sentinel") (not .Values.redis.masterName) }}
{{- fail "redis.masterName is required when redis.clientType is sentinel" }}
{{- end }}
{{- $query := ternary (printf "?sslmode=%s" $pg.sslMode) "" (ne $pg.sslMode "") }}
{{- $address := printf "%s:%d/%s%s" $pg.host (int $pg.port) $pg.database $query }}
QUARKUS_DATASOURCE_REACTIVE_URL: {{ printf "postgresql://%s" $address | quote }}
QUARKUS_DATASOURCE_JDBC_URL: {{ printf "jdbc:postgresql://%s" $address | quote }}
QUARKUS_DATASOURCE_USERNAME: {{ $pg.username | quote }}
QUARKUS_REDIS_CLIENT_TYPE: {{ .Values.redis.clientType | quote }}
QUARKUS_REDIS_HOSTS: {{ join "," .Values.redis.hosts | quote }}
{{- with .Values.redis.masterName }}
QUARKUS_REDIS_MASTER_NAME: {{ . | quote }}
{{- end }}
QUARKUS_HTTP_PORT: "8080"
JAVA_OPTS_APPEND: {{ printf "-Dquarkus.http.host=0.0.0.0 -Djava.util.logging.manager=org.jboss.logmanager.LogManager %s" .Values.javaOpts | trim | quote }}
{{- range $name, $value := .Values.config }}
{{ $name }}: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{/*
Environment variables read from Secrets, shared by the Deployment and the migration Job.
*/}}
{{- define "datastores.secretEnv" -}}
{{- if include "datastores.postgresql.hasPassword" . }}
- name: QUARKUS_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "datastores.postgresql.secretName" . }}
      key: {{ .Values.postgresql.passwordKey }}
{{- end }}
{{- if include "datastores.redis.hasPassword" . }}
- name: QUARKUS_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "datastores.redis.secretName" . }}
      key: {{ .Values.redis.passwordKey }}
{{- end }}
{{- with .Values.adminToken.existingSecret }}
- name: DATASTORES_ADMIN_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.adminToken.key }}
{{- end }}
{{- end }}

{{/*
The Deployment's environment beside its ConfigMap: the Secrets, and no migrations at start when
the pre-install/pre-upgrade Job has run them.
*/}}
{{- define "datastores.podEnv" -}}
{{ include "datastores.secretEnv" . }}
{{- if .Values.migrations.job.enabled }}
- name: QUARKUS_FLYWAY_MIGRATE_AT_START
  value: "false"
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}
