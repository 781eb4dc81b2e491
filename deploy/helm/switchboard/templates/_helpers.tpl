{{/* Names, labels and the pieces both Deployments share. */}}

{{- define "switchboard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "switchboard.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The name of one component's objects: fullname-gateway, fullname-team. Call with (list $ "gateway"). */}}
{{- define "switchboard.componentName" -}}
{{- $root := index . 0 -}}
{{- printf "%s-%s" (include "switchboard.fullname" $root | trunc 55 | trimSuffix "-") (index . 1) -}}
{{- end -}}

{{- define "switchboard.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "switchboard.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "switchboard.labels" -}}
{{- $root := index . 0 -}}
helm.sh/chart: {{ printf "%s-%s" $root.Chart.Name $root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "switchboard.selectorLabels" . }}
app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
app.kubernetes.io/part-of: switchboard
{{- end -}}

{{- define "switchboard.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The pod's security context: a fixed non-root user, the runtime's seccomp profile, volumes owned by the group. */}}
{{- define "switchboard.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ int .Values.runAsUser }}
runAsGroup: {{ int .Values.runAsGroup }}
fsGroup: {{ int .Values.runAsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Every container's security context: nothing to write but its volumes, nothing to gain, nothing extra to call. */}}
{{- define "switchboard.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ int .Values.runAsUser }}
runAsGroup: {{ int .Values.runAsGroup }}
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* An HTTP probe of one path on the container's named port. Call with (list "/healthz" "http" periodSeconds failureThreshold). */}}
{{- define "switchboard.httpProbe" -}}
httpGet:
  path: {{ index . 0 }}
  port: {{ index . 1 }}
periodSeconds: {{ index . 2 }}
timeoutSeconds: 3
failureThreshold: {{ index . 3 }}
{{- end -}}

{{/*
The gateway's config.json: the values' `gateway.config`, with what the chart owns set over it (listen on every
interface of the pod at the service's port, drainMs, allowedOrigins), the file vault when a vault Secret is named, and
the shared-gateway settings only when the values set them.
*/}}
{{- define "switchboard.gatewayConfig" -}}
{{- $g := .Values.gateway -}}
{{- $config := deepCopy (default (dict) $g.config) -}}
{{- $gateway := deepCopy (default (dict) (get $config "gateway")) -}}
{{- $_ := set $gateway "host" "0.0.0.0" -}}
{{- $_ := set $gateway "port" (int $g.port) -}}
{{- $_ := set $gateway "drainMs" (int $g.drainMs) -}}
{{- if $g.allowedOrigins -}}
{{- $_ := set $gateway "allowedOrigins" $g.allowedOrigins -}}
{{- end -}}
{{- if $g.publicHosts -}}
{{- $_ := set $gateway "publicHosts" $g.publicHosts -}}
{{- end -}}
{{- $auth := dict -}}
{{- if $g.auth.jwt -}}
{{- $_ := set $auth "jwt" $g.auth.jwt -}}
{{- end -}}
{{- if $g.auth.teamServer.url -}}
{{- $_ := set $auth "teamServer" (dict "url" $g.auth.teamServer.url) -}}
{{- end -}}
{{- if $auth -}}
{{- $_ := set $gateway "auth" $auth -}}
{{- end -}}
{{- $_ := set $config "gateway" $gateway -}}
{{- $_ := set $config "version" 1 -}}
{{- if $g.vault.existingSecret -}}
{{- $_ := set $config "vault" "file" -}}
{{- end -}}
{{- toPrettyJson $config -}}
{{- end -}}

{{/* Seconds from SIGTERM to SIGKILL for the gateway: above preStop + drain, or the chart refuses to render. */}}
{{- define "switchboard.gatewayGracePeriod" -}}
{{- $g := .Values.gateway -}}
{{- $drainSeconds := div (add (int $g.drainMs) 999) 1000 -}}
{{- $needed := add (int $g.preStopSeconds) $drainSeconds -}}
{{- if kindIs "invalid" $g.terminationGracePeriodSeconds -}}
{{- add $needed 10 -}}
{{- else if le (int $g.terminationGracePeriodSeconds) (int $needed) -}}
{{- fail (printf "gateway.terminationGracePeriodSeconds (%d) must exceed gateway.preStopSeconds + gateway.drainMs in seconds (%d), or in-flight calls are killed before they finish draining" (int $g.terminationGracePeriodSeconds) (int $needed)) -}}
{{- else -}}
{{- int $g.terminationGracePeriodSeconds -}}
{{- end -}}
{{- end -}}
