{{/* Full name of the release's objects, <= 63 characters. */}}
{{- define "allidb-operator.fullname" -}}
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

{{- define "allidb-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "allidb-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "allidb-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "allidb-operator.labels" -}}
{{ include "allidb-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: allidb
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "allidb-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "allidb-operator.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "allidb-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/*
The rules on AlliClusters and their dependents, shared by the ClusterRole (all namespaces) and
the per-namespace Roles. They must equal io.allidb.operator.OperatorPermissions.required(...):
RbacRulesIT compares them. Dependents are written with server-side apply (patch) or, without it,
with get/create/update.
*/}}
{{- define "allidb-operator.watchedRules" -}}
{{- $apply := ternary (list "patch") (list "get" "create" "update") .Values.serverSideApply -}}
- apiGroups: ["allidb.io"]
  resources: ["alliclusters"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["allidb.io"]
  resources: ["alliclusters/status"]
  verbs: {{ toJson (ternary (list "patch") (list "patch" "update") .Values.serverSideApply) }}
- apiGroups: ["allidb.io"]
  resources: ["alliclusters/finalizers"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["configmaps", "services", "serviceaccounts"]
  verbs: {{ toJson $apply }}
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: {{ toJson $apply }}
- apiGroups: ["apps"]
  resources: ["statefulsets"]
  verbs: {{ toJson (concat $apply (list "list" "watch")) }}
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch", "delete"]
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["delete", "deletecollection"]
# day-2: CA, TLS, node key-set and tenant Secrets (written whole, optimistic locking);
# the operator-admin Secret GrpcNodeAdmin reads
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "create", "update"]
# certificate, API-key and repair events on the AlliCluster
- apiGroups: [""]
  resources: ["events"]
  verbs: ["get", "create", "update"]
{{- end -}}
