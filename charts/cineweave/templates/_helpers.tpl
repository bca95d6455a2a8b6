{{/* Names, labels, images and the security settings every component shares. */}}

{{- define "cineweave.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-scoped prefix of every resource name; the release name alone when it already says cineweave. */}}
{{- define "cineweave.fullname" -}}
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

{{/* Name of one component's resources: (dict "ctx" $ "component" "api"). */}}
{{- define "cineweave.componentName" -}}
{{- printf "%s-%s" (include "cineweave.fullname" .ctx | trunc 50 | trimSuffix "-") .component -}}
{{- end -}}

{{- define "cineweave.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels of one component: stable across upgrades, so never the chart version. */}}
{{- define "cineweave.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cineweave.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Labels of every resource of one component. */}}
{{- define "cineweave.labels" -}}
helm.sh/chart: {{ include "cineweave.chart" .ctx }}
{{ include "cineweave.selectorLabels" . }}
app.kubernetes.io/part-of: cineweave
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Image of a component: (dict "ctx" $ "component" "api" "image" .Values.api.image). */}}
{{- define "cineweave.image" -}}
{{- $g := .ctx.Values.global.image -}}
{{- $repository := .image.repository | default (printf "%s/%s" $g.registry .component) -}}
{{- $tag := .image.tag | default $g.tag | default .ctx.Chart.AppVersion -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}

{{- define "cineweave.imagePullSecrets" -}}
{{- with .Values.global.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
Pod Security `restricted`: non-root, seccomp RuntimeDefault. Pass the uid the image runs as.
*/}}
{{- define "cineweave.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container half of `restricted`: read-only root, no escalation, every capability dropped. */}}
{{- define "cineweave.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The Secret the chart generates (credentials, bundled passwords). */}}
{{- define "cineweave.secretName" -}}
{{- include "cineweave.componentName" (dict "ctx" . "component" "credentials") -}}
{{- end -}}

{{/*
Where the value of one secret environment variable lives: the user's `existingSecret` for the
services run outside the chart, the generated Secret otherwise. (dict "ctx" $ "key" "REDIS_URL")
*/}}
{{- define "cineweave.secretKeyRef" -}}
{{- $v := .ctx.Values -}}
{{- $external := and $v.existingSecret (or
  (eq .key "INTERNAL_TOKEN")
  (and (eq .key "DATABASE_URL") (not $v.postgresql.enabled))
  (and (eq .key "REDIS_URL") (not $v.redis.enabled))
  (and (has .key (list "S3_ACCESS_KEY" "S3_SECRET_KEY")) (not $v.minio.enabled))
  (and (eq .key "TRUELAYER_CLIENT_SECRET") (not $v.payments.truelayer.clientSecret))
  (and (eq .key "TRUELAYER_SIGNING_PRIVATE_KEY") (not $v.payments.truelayer.signingPrivateKey))
  (and (eq .key "MODERATION_CLASSIFIER_TOKEN") (not $v.moderation.classifier.token))) -}}
secretKeyRef:
  name: {{ ternary $v.existingSecret (include "cineweave.secretName" .ctx) (not (not $external)) }}
  key: {{ .key }}
{{- end -}}

{{- define "cineweave.secretEnv" -}}
- name: {{ .key }}
  valueFrom:
    {{- include "cineweave.secretKeyRef" . | nindent 4 }}
{{- end -}}

{{/* In-cluster addresses of the bundled services. */}}
{{- define "cineweave.postgresHost" -}}
{{- include "cineweave.componentName" (dict "ctx" . "component" "postgresql") -}}
{{- end -}}
{{- define "cineweave.redisHost" -}}
{{- include "cineweave.componentName" (dict "ctx" . "component" "redis") -}}
{{- end -}}
{{- define "cineweave.minioHost" -}}
{{- include "cineweave.componentName" (dict "ctx" . "component" "minio") -}}
{{- end -}}

{{- define "cineweave.s3Endpoint" -}}
{{- if .Values.minio.enabled -}}
{{- printf "http://%s:9000" (include "cineweave.minioHost" .) -}}
{{- else -}}
{{- .Values.s3.endpoint -}}
{{- end -}}
{{- end -}}

{{/*
The origin browsers reach the bucket at, for presigned links: `s3.publicEndpoint`, else with the
bundled MinIO the ingress host (which routes `/<bucket>` to MinIO), else empty (S3_ENDPOINT).
*/}}
{{- define "cineweave.s3PublicEndpoint" -}}
{{- if .Values.s3.publicEndpoint -}}
{{- .Values.s3.publicEndpoint -}}
{{- else if and .Values.minio.enabled .Values.ingress.enabled -}}
{{- printf "https://%s" .Values.ingress.host -}}
{{- end -}}
{{- end -}}

{{- define "cineweave.apiUrl" -}}
{{- printf "http://%s:%v" (include "cineweave.componentName" (dict "ctx" . "component" "api")) .Values.api.service.port -}}
{{- end -}}

{{/* Config ConfigMaps roll the pods that read them. */}}
{{- define "cineweave.checksum" -}}
{{- include (print .ctx.Template.BasePath .path) .ctx | sha256sum -}}
{{- end -}}

{{/* `true` when the monitoring.coreos.com API is served, or the value forces it. */}}
{{- define "cineweave.monitoringEnabled" -}}
{{- $setting := toString .setting -}}
{{- if eq $setting "true" -}}true
{{- else if and (eq $setting "auto") (.ctx.Capabilities.APIVersions.Has (printf "monitoring.coreos.com/v1/%s" .kind)) -}}true
{{- end -}}
{{- end -}}

{{/* Writable scratch space for read-only root file systems. */}}
{{- define "cineweave.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .size | default "256Mi" }}
{{- end -}}

{{/*
Labels the operator puts on the worker pods it creates (operator/src/controllers/workerpool/
worker-deployment.ts): the worker NetworkPolicy and metrics Service select them.
*/}}
{{- define "cineweave.workerSelectorLabels" -}}
app.kubernetes.io/name: cineweave-gpu-worker
app.kubernetes.io/component: gpu-worker
{{- end -}}

{{/* Secret the workers read REDIS_URL and S3_* from (envFrom): theirs alone, never DATABASE_URL. */}}
{{- define "cineweave.workerSecretName" -}}
{{- $v := .Values -}}
{{- if $v.workers.existingSecret -}}
{{- $v.workers.existingSecret -}}
{{- else if and $v.existingSecret (or (not $v.redis.enabled) (not $v.minio.enabled)) -}}
{{- $v.existingSecret -}}
{{- else -}}
{{- include "cineweave.componentName" (dict "ctx" . "component" "worker") -}}
{{- end -}}
{{- end -}}

{{- define "cineweave.modelClaimName" -}}
{{- .Values.workers.model.persistence.existingClaim | default (include "cineweave.componentName" (dict "ctx" . "component" "models")) -}}
{{- end -}}

{{/* Scheduling of GPU pods: the GPU taint is always tolerated. */}}
{{- define "cineweave.gpuTolerations" -}}
- key: nvidia.com/gpu
  operator: Exists
  effect: NoSchedule
{{- with .Values.workers.tolerations }}
{{ toYaml . }}
{{- end }}
{{- end -}}



{{/* A ClusterIP Service for one bundled store: (dict "ctx" $ "component" "redis" "port" 6379). */}}
{{- define "cineweave.storeService" -}}
{{- $c := dict "ctx" .ctx "component" .component -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "cineweave.componentName" $c }}
  labels:
    {{- include "cineweave.labels" $c | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "cineweave.selectorLabels" $c | nindent 4 }}
  ports:
    - name: {{ .portName }}
      port: {{ .port }}
      targetPort: {{ .portName }}
      protocol: TCP
{{- end -}}

{{/* The PVC template of one bundled store. */}}
{{- define "cineweave.storeVolumeClaim" -}}
volumeClaimTemplates:
  - metadata:
      name: data
      labels:
        {{- include "cineweave.selectorLabels" (dict "ctx" .ctx "component" .component) | nindent 8 }}
    spec:
      accessModes: [ReadWriteOnce]
      {{- with .persistence.storageClass }}
      storageClassName: {{ . }}
      {{- end }}
      resources:
        requests:
          storage: {{ .persistence.size }}
{{- end -}}

{{/* A NetworkPolicy peer: the pods of one component of this release. */}}
{{- define "cineweave.peer" -}}
- podSelector:
    matchLabels:
      {{- include "cineweave.selectorLabels" . | nindent 6 }}
{{- end -}}

{{/* Addresses outside the cluster, never the cloud metadata service (each except in its own family). */}}
{{- define "cineweave.externalPeers" -}}
{{- include "cineweave.externalPeersUntrimmed" . | trim -}}
{{- end -}}

{{- define "cineweave.externalPeersUntrimmed" -}}
{{- $np := .Values.networkPolicy -}}
{{- range $cidr := $np.externalEgressCidrs }}
{{- $v6 := contains ":" $cidr }}
{{- $except := list }}
{{- range $m := $np.metadataCidrs }}
{{- if eq $v6 (contains ":" $m) }}{{ $except = append $except $m }}{{ end }}
{{- end }}
- ipBlock:
    cidr: {{ $cidr }}
    {{- with $except }}
    except:
      {{- toYaml . | nindent 6 }}
    {{- end }}
{{- end }}
{{- end -}}
