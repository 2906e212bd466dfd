{{/*
RBAC rules shared by rbac.yaml. "namespaced" rules go into the ClusterRole (all namespaces) or into
one Role per watched namespace; "cluster" rules are always in a ClusterRole.
*/}}
{{- define "gangway.rules.namespaced" -}}
# The TrainingJob reconciler's primary resource: informer (list/watch), get when a check-in is
# judged against the job; delete for spec.ttlSecondsAfterFinished, which removes a finished job.
# No patch/update: Gangway adds no finalizer and writes only the status subresource.
- apiGroups: ["gangway.dev"]
  resources: ["trainingjobs"]
  verbs: ["get", "list", "watch", "delete"]
# Status (phase, conditions, placement, lastCheckpoint) is written through the status subresource.
# update: the reconciler's decision, locked to the resourceVersion it was made on; patch: a
# check-in's lastCheckpoint and the error status.
- apiGroups: ["gangway.dev"]
  resources: ["trainingjobs/status"]
  verbs: ["patch", "update"]
# Setting ownerReferences with blockOwnerDeletion=true on pods/services requires update on the
# owner's finalizers subresource (OwnerReferencesPermissionEnforcement).
- apiGroups: ["gangway.dev"]
  resources: ["trainingjobs/finalizers"]
  verbs: ["update"]
# One pod per rank: created already pinned to its node, deleted on gang restart; patch: lifts the
# scheduling gate of a rank an earlier Gangway version created gated (an upgrade during a restart); get: the pod a check-in's token is bound to. Every write is a create, a
# PATCH or a delete: no update. Listed and watched cluster-wide (below), never per namespace.
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "create", "delete", "patch"]
# A failed rank's last log lines go into the job's Failed/Restarting message (read-only). Without it
# the message just lacks them: the read is best effort.
- apiGroups: [""]
  resources: ["pods/log"]
  verbs: ["get"]
# The headless Service per job that gives ranks stable DNS names for rendezvous (MASTER_ADDR), and
# the MPI hostfile ConfigMap: created, watched (label gangway.dev/job-name), patched when the part
# Gangway owns changes (selector, hostfile). Deleted by the garbage collector with the job, never by Gangway.
# No get: they are read from the informer's cache.
- apiGroups: [""]
  resources: ["services", "configmaps"]
  verbs: ["list", "watch", "create", "patch"]
# A gang is created whole or not at all: its namespace's ResourceQuotas, and the LimitRanges whose
# defaults they count (informers' caches, read-only), tell whether all its rank pods would be admitted
# before the first is created.
- apiGroups: [""]
  resources: ["resourcequotas", "limitranges"]
  verbs: ["list", "watch"]
# An MPI job's ssh keys: one Secret per job, created before its first rank, owned by the job and
# deleted with it by the garbage collector. Create only: Gangway never reads, lists or changes a Secret.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["create"]
# Kubernetes Events on TrainingJobs (Placed, Restarting, Failed...) so `kubectl describe tj` explains
# what happened: each one created through the core v1 API, never updated.
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end }}
{{- define "gangway.rules.cluster" -}}
# Placement reads the cluster's fabric description (cluster-scoped, read-only), from an informer's cache.
- apiGroups: ["gangway.dev"]
  resources: ["clustertopologies"]
  verbs: ["list", "watch"]
# Placement counts the GPUs, CPU and memory that pods of every namespace hold on each node, so pods
# are listed and watched cluster-wide (one informer) even when only some namespaces are watched;
# single pods are read (get) and written only in the watched namespaces.
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch"]
# Placement orders waiting gangs by their pods' priority, resolved from PriorityClasses (an informer's cache) as kube-scheduler does.
- apiGroups: ["scheduling.k8s.io"]
  resources: ["priorityclasses"]
  verbs: ["list", "watch"]
# Placement reads node labels (topology domains), allocatable GPUs, taints and conditions. patch: a
# node-health signal (POST /api/v1/node-health or the node-health channel) is kept on its Node, in the
# annotation gangway.dev/health, before it is acknowledged, so a new leader knows which nodes are bad.
# A node flagged for failures of several jobs keeps the flag in the label gangway.dev/flagged (PATCH too).
# nodeHealth.taintNodes / cordonNodes (taint or cordon nodes Gangway finds bad, and undo it) need no more:
# those edits are sent as PATCH too.
- apiGroups: [""]
  resources: ["nodes"]
  verbs: ["get", "list", "watch", "patch"]
# The check-in doors (POST /api/v1/checkpoints, /api/v1/node-health) ask the API server who sent a
# check-in (TokenReview of its bearer token, audience gangway.dev/intake) and whether a node-health
# sender was granted it (SubjectAccessReview). Both are create-only and reveal nothing else.
- apiGroups: ["authentication.k8s.io"]
  resources: ["tokenreviews"]
  verbs: ["create"]
- apiGroups: ["authorization.k8s.io"]
  resources: ["subjectaccessreviews"]
  verbs: ["create"]
# At startup the Java Operator SDK reads each reconciled CRD by name to check it is installed
# (quarkus.operator-sdk.crd.validate, on by default): a get by name. Read-only.
- apiGroups: ["apiextensions.k8s.io"]
  resources: ["customresourcedefinitions"]
  verbs: ["get"]
{{- end }}
