{{/*
One long-running Airflow component. Called with (dict "root" $ "component" "scheduler"
"kind" "Deployment" "values" .Values.scheduler "args" (list ...) "ports" (list ...)
"probes" "<yaml>" "apiAccess" bool "serviceAccount" "<name>" "serviceName" "").
*/}}
{{- define "olp.workload" -}}
{{- $root := .root -}}
apiVersion: apps/v1
kind: {{ .kind }}
metadata:
  name: {{ include "olp.fullname" $root }}-{{ .component }}
  labels:
    {{- include "olp.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  replicas: {{ .values.replicas }}
  {{- if .serviceName }}
  serviceName: {{ .serviceName }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "olp.selector" (dict "root" $root "component" .component) | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "olp.selector" (dict "root" $root "component" .component) | nindent 8 }}
      {{- with $root.Values.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ .serviceAccount }}
      automountServiceAccountToken: {{ .apiAccess }}
      terminationGracePeriodSeconds: {{ .terminationGracePeriodSeconds | default 60 }}
      {{- include "olp.podCommon" $root | nindent 6 }}
      containers:
        - name: {{ .component }}
          image: {{ include "olp.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: {{ toJson .args }}
          {{- with .ports }}
          ports:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          env:
            {{- include "olp.env" $root | nindent 12 }}
          {{- with (include "olp.envFrom" $root) }}
          envFrom:
            {{- . | nindent 12 }}
          {{- end }}
          {{- .probes | nindent 10 }}
          resources:
            {{- toYaml .values.resources | nindent 12 }}
          securityContext:
            {{- include "olp.containerSecurityContext" $root | nindent 12 }}
          volumeMounts:
            {{- include "olp.volumeMounts" $root | nindent 12 }}
            {{- with .extraMounts }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
      volumes:
        {{- include "olp.volumes" $root | nindent 8 }}
        {{- with .extraVolumes }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
{{- if .values.pdb.enabled }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "olp.fullname" $root }}-{{ .component }}
  labels:
    {{- include "olp.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  maxUnavailable: {{ .values.pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "olp.selector" (dict "root" $root "component" .component) | nindent 6 }}
{{- end }}
{{- end -}}
