{{/*
Names and labels shared by every template.
*/}}

{{/* The chart name, overridable with nameOverride. */}}
{{- define "gangway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The release-qualified name used for every namespaced object and, prefixed by nothing else, for the
cluster-scoped ones (so two releases in different namespaces need different release names).
If the release name already contains the chart name it is not repeated ("gangway", not "gangway-gangway").
*/}}
{{- define "gangway.fullname" -}}
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

{{/* chart label value: name-version, '+' is not allowed in label values. */}}
{{- define "gangway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select the operator pods; never change them after a release (selectors are immutable). */}}
{{- define "gangway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gangway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Standard labels for every object. */}}
{{- define "gangway.labels" -}}
helm.sh/chart: {{ include "gangway.chart" . }}
{{ include "gangway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: gangway
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "gangway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "gangway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* image reference; the tag defaults to the chart's appVersion, a digest wins over both. */}}
{{- define "gangway.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Lease name for leader election: all replicas of one release must agree on it. */}}
{{- define "gangway.leaseName" -}}
{{- default (printf "%s-leader" (include "gangway.fullname" .)) .Values.leaderElection.leaseName }}
{{- end }}

{{/*
Value of QUARKUS_OPERATOR_SDK_NAMESPACES: the watched namespaces as a comma list, or the Java
Operator SDK's marker for "every namespace" when watchNamespaces is empty.
*/}}
{{- define "gangway.watchNamespacesEnv" -}}
{{- if .Values.watchNamespaces }}
{{- join "," (uniq .Values.watchNamespaces) }}
{{- else }}
{{- "JOSDK_ALL_NAMESPACES" }}
{{- end }}
{{- end }}

{{/*
Cross-value checks draft-07 JSON schema cannot express (one value compared with another):
fail early with a message instead of rendering a half-working release.
*/}}
{{- define "gangway.validate" -}}
{{- $b := .Values.failurePolicy.backoff }}
{{- if and (not (kindIs "invalid" $b.initialSeconds)) (not (kindIs "invalid" $b.maxSeconds)) }}
{{- if gt (int $b.initialSeconds) (int $b.maxSeconds) }}
{{- fail (printf "failurePolicy.backoff.initialSeconds (%v) must not exceed failurePolicy.backoff.maxSeconds (%v)" $b.initialSeconds $b.maxSeconds) }}
{{- end }}
{{- end }}
{{- $le := .Values.leaderElection }}
{{- if ge (include "gangway.millis" $le.renewDeadline | int) (include "gangway.millis" $le.leaseDuration | int) }}
{{- fail (printf "leaderElection.renewDeadline (%v) must be shorter than leaderElection.leaseDuration (%v): the leader must give up before a standby may take the Lease" $le.renewDeadline $le.leaseDuration) }}
{{- end }}
{{- if ge (include "gangway.millis" $le.retryPeriod | int) (include "gangway.millis" $le.renewDeadline | int) }}
{{- fail (printf "leaderElection.retryPeriod (%v) must be shorter than leaderElection.renewDeadline (%v): the leader must get at least one more try to renew" $le.retryPeriod $le.renewDeadline) }}
{{- end }}
{{- end }}

{{/* A duration value (schema: digits then ms, s, m or h) in milliseconds. */}}
{{- define "gangway.millis" -}}
{{- $d := toString . }}
{{- if hasSuffix "ms" $d }}{{ trimSuffix "ms" $d | int }}
{{- else if hasSuffix "s" $d }}{{ mul (trimSuffix "s" $d | int) 1000 }}
{{- else if hasSuffix "m" $d }}{{ mul (trimSuffix "m" $d | int) 60000 }}
{{- else }}{{ mul (trimSuffix "h" $d | int) 3600000 }}
{{- end }}
{{- end }}
