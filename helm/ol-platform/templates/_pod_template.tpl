{{- define "olp.podTemplate" -}}
apiVersion: v1
kind: Pod
metadata:
  name: placeholder-name
  labels:
    {{- include "olp.selector" (dict "root" . "component" "task") | nindent 4 }}
  {{- with .Values.podAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  restartPolicy: Never
  serviceAccountName: {{ include "olp.workerServiceAccountName" . }}
  automountServiceAccountToken: false
  {{- include "olp.podCommon" . | nindent 2 }}
  containers:
    - name: base
      image: {{ include "olp.image" . }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      env:
        {{- include "olp.env" . | nindent 8 }}
      {{- with (include "olp.envFrom" .) }}
      envFrom:
        {{- . | nindent 8 }}
      {{- end }}
      resources:
        {{- toYaml .Values.workers.resources | nindent 8 }}
      securityContext:
        {{- include "olp.containerSecurityContext" . | nindent 8 }}
      volumeMounts:
        {{- include "olp.volumeMounts" . | nindent 8 }}
  volumes:
    {{- include "olp.volumes" . | nindent 4 }}
{{- end -}}
