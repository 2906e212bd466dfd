{{/*
Gangway's alerting rules: the one source of their text. The PrometheusRule (prometheusrule.yaml) renders
them, and the chart tests render the same groups to a plain rule file for `promtool check rules` and
`promtool test rules` (charts/src/test/promtool/alerts-test.yaml); PrometheusE2eTest loads that file into a
real Prometheus. Thresholds come from .Values.prometheusRule.alerts.
*/}}
{{- define "gangway.alertRuleGroups" -}}
{{- $a := .Values.prometheusRule.alerts -}}
groups:
  - name: gangway
    rules:
      - alert: GangwayJobStuckPending
        expr: max by (namespace, name, phase, reason) (gangway_job_waiting_seconds) > {{ $a.jobStuckPending.seconds }}
        labels:
          severity: {{ $a.jobStuckPending.severity }}
        annotations:
          summary: {{ `TrainingJob {{ $labels.namespace }}/{{ $labels.name }} has waited {{ $value | humanizeDuration }} to run` | quote }}
          description: {{ `The job is {{ $labels.phase }}, waiting for {{ $labels.reason }}, and no gang placement has started it. Run kubectl gangway why {{ $labels.name }} -n {{ $labels.namespace }}: queue position, the Placed condition's reason, what would have to free up.` | quote }}
      - alert: GangwayRestartStorm
        expr: max by (namespace, name) (max_over_time(gangway_job_restarts[{{ $a.restartStorm.window }}]) - min_over_time(gangway_job_restarts[{{ $a.restartStorm.window }}])) >= {{ $a.restartStorm.restarts }}
        labels:
          severity: {{ $a.restartStorm.severity }}
        annotations:
          summary: {{ printf "TrainingJob {{ $labels.namespace }}/{{ $labels.name }} restarted {{ $value }} times within %s" $a.restartStorm.window | quote }}
          description: {{ `Each restart loses the work since the last checkpoint. kubectl gangway describe {{ $labels.name }} -n {{ $labels.namespace }} lists the causes: the same node points at hardware, the same exit code at the training code.` | quote }}
      - alert: GangwayNodeFlaggedBySeveralJobs
        expr: max by (node) (gangway_node_excluding_jobs) >= {{ $a.nodeFlagged.jobs }}
        labels:
          severity: {{ $a.nodeFlagged.severity }}
        annotations:
          summary: {{ `Node {{ $labels.node }} is excluded by {{ $value }} TrainingJobs after failures that were the node's` | quote }}
          description: {{ `Several jobs failed there for causes Gangway attributes to the node (lost, NotReady, a fatal health signal). Drain and check it (kubectl describe node {{ $labels.node }}; the gangway.dev/health annotation).` | quote }}
      - alert: GangwayGoodputLow
        expr: gangway_fleet_goodput_ratio < {{ $a.goodputLow.ratio }}
        for: {{ $a.goodputLow.for }}
        labels:
          severity: {{ $a.goodputLow.severity }}
        annotations:
          summary: {{ printf "Fleet goodput is {{ $value | humanizePercentage }}, below %v" $a.goodputLow.ratio | quote }}
          description: {{ `Of the GPU time Gangway's jobs hold, too little trains. The dashboard's goodput panel splits the loss by cause: work since the last checkpoint, detection, restart, waiting for capacity.` | quote }}
      - alert: GangwayReconcileFailing
        expr: sum(rate(reconciliations_failure_total{controller_name="trainingjob"}[5m])) > 0
        for: {{ $a.reconcileFailing.for }}
        labels:
          severity: {{ $a.reconcileFailing.severity }}
        annotations:
          summary: {{ printf "Reconciles of TrainingJobs have kept failing for %s" $a.reconcileFailing.for | quote }}
          description: {{ `Gangway retries a failed reconcile every 30 s at most, so a failure that lasts is one nobody has fixed: an RBAC denial, a quota or an admission policy refusing pods, an API server error. Each job it affects carries a ReconcileError condition with the API server's message and what to grant or change (kubectl describe trainingjob <name>).` | quote }}
      - alert: GangwayLeaderMissing
        expr: max(gangway_leader) < 1 or absent(gangway_leader)
        for: {{ $a.leaderMissing.for }}
        labels:
          severity: {{ $a.leaderMissing.severity }}
        annotations:
          summary: No Gangway replica holds the leader Lease
          description: {{ `No TrainingJob is placed, restarted or finished while no replica leads. Check the operator's pods and its Lease (kubectl get lease -n <release namespace>).` | quote }}
{{- end }}
