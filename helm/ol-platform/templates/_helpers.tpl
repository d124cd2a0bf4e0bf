{{/* Names and labels. */}}
{{- define "olp.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "olp.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "scheduler"). */}}
{{- define "olp.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "olp.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{- define "olp.serviceAccountName" -}}
{{- .Values.serviceAccount.name | default (include "olp.fullname" .) -}}
{{- end -}}

{{- define "olp.workerServiceAccountName" -}}
{{- .Values.workerServiceAccount.name | default (printf "%s-worker" (include "olp.fullname" .)) -}}
{{- end -}}

{{- define "olp.apiServerUrl" -}}
{{- printf "http://%s-api-server.%s.svc:%d" (include "olp.fullname" .) .Release.Namespace (int .Values.apiServer.service.port) -}}
{{- end -}}

{{- define "olp.baseUrl" -}}
{{- if .Values.airflow.baseUrl -}}
{{- .Values.airflow.baseUrl -}}
{{- else if .Values.ingress.enabled -}}
{{- printf "%s://%s%s" (ternary "https" "http" (ne .Values.ingress.tlsSecretName "")) .Values.ingress.host (trimSuffix "/" .Values.ingress.path) -}}
{{- end -}}
{{- end -}}

{{- define "olp.secretEnv" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ .ref.name }}
      key: {{ .ref.key }}
{{- end -}}

{{/*
Environment of every Airflow process and task. Secrets only as secretKeyRef: nothing secret is
rendered into a manifest.
*/}}
{{- define "olp.env" -}}
{{- $v := .Values -}}
- name: OLP_ENV
  value: {{ $v.olpEnv | quote }}
- name: OLP_HOME
  value: /var/lib/olp
{{- /* dlt keeps its state under $HOME unless told otherwise; the root filesystem is read-only. */}}
- name: DLT_DATA_DIR
  value: /var/lib/olp/dlt
- name: RUNTIME__DLTHUB_TELEMETRY
  value: "false"
- name: DO_NOT_TRACK
  value: "1"
- name: AIRFLOW__CORE__EXECUTOR
  value: {{ $v.executor | quote }}
- name: AIRFLOW__CORE__AUTH_MANAGER
  value: {{ $v.airflow.authManager | quote }}
- name: AIRFLOW__CORE__PARALLELISM
  value: {{ $v.airflow.parallelism | quote }}
- name: AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG
  value: {{ $v.airflow.maxActiveTasksPerDag | quote }}
- name: AIRFLOW__CORE__EXECUTION_API_SERVER_URL
  value: {{ printf "%s/execution/" (include "olp.apiServerUrl" .) | quote }}
{{- /* Unset without a public URL: the login redirect then stays relative, which is what a
       `kubectl port-forward` needs (an in-cluster host name would be unreachable). */}}
{{- with (include "olp.baseUrl" .) }}
- name: AIRFLOW__API__BASE_URL
  value: {{ . | quote }}
{{- end }}
- name: AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK
  value: "True"
- name: AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT
  value: "8974"
{{- if eq $v.executor "KubernetesExecutor" }}
- name: AIRFLOW__KUBERNETES_EXECUTOR__NAMESPACE
  value: {{ .Release.Namespace | quote }}
- name: AIRFLOW__KUBERNETES_EXECUTOR__POD_TEMPLATE_FILE
  value: /opt/airflow/pod_templates/pod_template.yaml
- name: AIRFLOW__KUBERNETES_EXECUTOR__WORKER_CONTAINER_REPOSITORY
  value: {{ $v.image.repository | quote }}
- name: AIRFLOW__KUBERNETES_EXECUTOR__WORKER_CONTAINER_TAG
  value: {{ $v.image.tag | default .Chart.AppVersion | quote }}
{{- else }}
- name: AIRFLOW__CELERY__WORKER_CONCURRENCY
  value: {{ $v.workers.concurrency | quote }}
{{ include "olp.secretEnv" (dict "env" "AIRFLOW__CELERY__BROKER_URL" "ref" $v.celery.brokerUrl) }}
{{- end }}
{{- if $v.logs.remote.enabled }}
- name: AIRFLOW__LOGGING__REMOTE_LOGGING
  value: "True"
- name: AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER
  value: {{ $v.logs.remote.baseFolder | quote }}
- name: AIRFLOW__LOGGING__REMOTE_LOG_CONN_ID
  value: {{ $v.logs.remote.connId | quote }}
{{- end }}
{{- if $v.openmetadata.generatedDagsClaim }}
{{- /* The image's DAGs and the ones OpenMetadata deploys are two bundles; managed-apis writes
       into [core] dags_folder, so that points at the shared volume. */}}
- name: AIRFLOW__CORE__DAGS_FOLDER
  value: /opt/airflow/openmetadata/dags
- name: AIRFLOW__OPENMETADATA_AIRFLOW_APIS__DAG_GENERATED_CONFIGS
  value: /opt/airflow/openmetadata/dag_generated_configs
- name: AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST
  value: {{ list (dict "name" "dags-folder" "classpath" "airflow.dag_processing.bundles.local.LocalDagBundle" "kwargs" (dict "path" "/opt/olp/dags")) (dict "name" "openmetadata" "classpath" "airflow.dag_processing.bundles.local.LocalDagBundle" "kwargs" (dict "path" "/opt/airflow/openmetadata/dags")) | toJson | quote }}
{{- end }}
- name: PYICEBERG_CATALOG__OLP__TYPE
  value: {{ $v.icebergCatalog.type | quote }}
{{- if $v.icebergCatalog.uri }}
- name: PYICEBERG_CATALOG__OLP__URI
  value: {{ $v.icebergCatalog.uri | quote }}
{{- end }}
{{- if $v.icebergCatalog.warehouse }}
- name: PYICEBERG_CATALOG__OLP__WAREHOUSE
  value: {{ $v.icebergCatalog.warehouse | quote }}
{{- end }}
{{- range $prop, $value := $v.icebergCatalog.properties }}
- name: {{ include "olp.icebergEnvName" $prop }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- range $prop, $ref := $v.icebergCatalog.secretProperties }}
{{ include "olp.secretEnv" (dict "env" (include "olp.icebergEnvName" $prop) "ref" $ref) }}
{{- end }}
{{- if $v.dbtArtifacts.url }}
- name: OLP_DBT_ARTIFACTS_URL
  value: {{ $v.dbtArtifacts.url | quote }}
{{- end }}
{{- if $v.dbtArtifacts.openmetadataS3 }}
- name: OLP_DBT_ARTIFACTS_S3
  value: {{ $v.dbtArtifacts.openmetadataS3 | quote }}
{{- end }}
- name: OLP_DBT_ARTIFACTS_CONN_ID
  value: {{ $v.dbtArtifacts.connId | quote }}
{{- range $name, $value := $v.platformEnv }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- range $name, $value := $v.airflow.config }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{ include "olp.secretEnv" (dict "env" "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" "ref" $v.secrets.metadataDb) }}
{{ include "olp.secretEnv" (dict "env" "AIRFLOW__CORE__FERNET_KEY" "ref" $v.secrets.fernetKey) }}
{{ include "olp.secretEnv" (dict "env" "AIRFLOW__API_AUTH__JWT_SECRET" "ref" $v.secrets.jwtSecret) }}
{{ include "olp.secretEnv" (dict "env" "AIRFLOW__API__SECRET_KEY" "ref" $v.secrets.apiSecretKey) }}
{{- range $id, $ref := $v.connections }}
{{- if and $ref (ne $id "extra") }}
{{ include "olp.secretEnv" (dict "env" (printf "AIRFLOW_CONN_%s" (upper $id)) "ref" $ref) }}
{{- end }}
{{- end }}
{{- range $id, $ref := $v.connections.extra }}
{{ include "olp.secretEnv" (dict "env" (printf "AIRFLOW_CONN_%s" (upper $id)) "ref" $ref) }}
{{- end }}
{{- end -}}

{{/* pyiceberg's environment name of a catalog property: s3.access-key-id -> ..._S3__ACCESS_KEY_ID */}}
{{- define "olp.icebergEnvName" -}}
{{- printf "PYICEBERG_CATALOG__OLP__%s" (. | replace "." "__" | replace "-" "_" | upper) -}}
{{- end -}}

{{- define "olp.envFrom" -}}
{{- range .Values.envFromSecrets }}
- secretRef:
    name: {{ . }}
{{- end }}
{{- end -}}

{{/* The read-only root filesystem's writable places. */}}
{{- define "olp.writablePaths" -}}
{{- concat (list "/tmp" "/opt/airflow/logs" "/var/lib/olp" "/home/airflow/.cache") .Values.extraWritablePaths | uniq | toJson -}}
{{- end -}}

{{/* emptyDir name of a writable path: readable, and unique by a hash of the path. */}}
{{- define "olp.volumeName" -}}
{{- $slug := . | replace "/" "-" | replace "." "-" | replace "_" "-" | lower | trunc 40 | trimAll "-" -}}
{{- printf "rw-%s-%s" $slug (sha256sum . | trunc 8) -}}
{{- end -}}

{{- define "olp.volumeMounts" -}}
{{- range (include "olp.writablePaths" . | fromJsonArray) }}
- name: {{ include "olp.volumeName" . }}
  mountPath: {{ . }}
{{- end }}
{{- if .Values.openmetadata.generatedDagsClaim }}
- name: openmetadata-dags
  mountPath: /opt/airflow/openmetadata
{{- end }}
{{- end -}}

{{- define "olp.volumes" -}}
{{- range (include "olp.writablePaths" . | fromJsonArray) }}
- name: {{ include "olp.volumeName" . }}
  emptyDir: {}
{{- end }}
{{- if .Values.openmetadata.generatedDagsClaim }}
- name: openmetadata-dags
  persistentVolumeClaim:
    claimName: {{ .Values.openmetadata.generatedDagsClaim }}
{{- end }}
{{- end -}}

{{- define "olp.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 50000
runAsGroup: 0
fsGroup: 0
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "olp.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 50000
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Pod-level scheduling and identity shared by every pod. */}}
{{- define "olp.podCommon" -}}
securityContext:
  {{- include "olp.podSecurityContext" . | nindent 2 }}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* `airflow jobs check` liveness of a job-based component (dag-processor, triggerer). */}}
{{- define "olp.jobCheckProbe" -}}
exec:
  command: [airflow, jobs, check, --job-type, {{ . }}, --local]
initialDelaySeconds: 120
periodSeconds: 60
timeoutSeconds: 60
failureThreshold: 5
{{- end -}}
