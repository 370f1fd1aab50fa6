{{/* Chart name, overridable. */}}
{{- define "clusterip-speaker.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: the release name, with the chart name unless the release name contains it. */}}
{{- define "clusterip-speaker.fullname" -}}
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

{{- define "clusterip-speaker.selectorLabels" -}}
app.kubernetes.io/name: {{ include "clusterip-speaker.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "clusterip-speaker.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "clusterip-speaker.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "clusterip-speaker.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "clusterip-speaker.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "clusterip-speaker.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
The HTTP endpoint from config.http.listen ("ADDRESS:PORT" or "[ADDRESS]:PORT").
httpPort: the port. probeHost: the address the kubelet must probe when the endpoint listens on
loopback only (with hostNetwork the kubelet shares the pod's network namespace, so 127.0.0.1
reaches it); empty otherwise, so the kubelet probes the pod IP (= the node IP).
*/}}
{{- define "clusterip-speaker.httpPort" -}}
{{- $listen := required "config.http.listen must be set: the probes use /readyz and /healthz" .Values.config.http.listen }}
{{- last (splitList ":" $listen) }}
{{- end }}

{{- define "clusterip-speaker.probeHost" -}}
{{- $listen := .Values.config.http.listen }}
{{- if hasPrefix "127." $listen }}
{{- first (splitList ":" $listen) }}
{{- else if hasPrefix "[::1]:" $listen }}
{{- print "::1" }}
{{- end }}
{{- end }}
