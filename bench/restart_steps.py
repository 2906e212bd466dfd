#!/usr/bin/env python3
"""Each component's step of a job's first start and of its restarts, read from the API server's audit log.

Usage: bench/restart_steps.py AUDIT_LOG [JOB_PREFIX]
(any e2e run whose cluster writes an audit log: the shared e2e cluster always does, RecoveryBenchmark with
-Dgangway.bench.auditLog=true). Rank pods are named <job>-r<rank>-a<attempt>. Times are the API server's receive
times, so each step is when that component's write arrived; reads (a harness's polls) are not in the log.

First start, from the user's create of the TrainingJob: the operator's first status write, its first and last pod
create, kube-scheduler's last binding, the last of the simulated kubelet's (kwok's) first status writes of those pods
(Running, with an IP).
Restart to attempt N, from the last write by the user's kubectl to a pod of attempt N-1 (a harness relaying a crash
as a kubelet would) or, without one, from the operator's decision: kwok's status write of that pod (the exit), the
operator's status write that decided the restart, its first delete of the old pods, the last old pod leaving the API
server, the operator's first and last create of the new pods, the last binding and the last of kwok's first status writes of them (Running).
"""
import collections
import json
import statistics
import sys

from restart_timeline import RANK_POD, seconds  # the same pod names and timestamps, read the same way


def who(event):
    agent = event.get('userAgent', '')
    if 'gangway-operator' in agent:
        return 'operator'
    for name in ('kwok', 'kube-scheduler', 'kubectl'):
        if agent.startswith(name):
            return name
    return 'other'


def read(path, prefix):
    """Per job: its TrainingJob creates and status writes; per (job, attempt): its pods' writes by component."""
    job_writes = collections.defaultdict(list)
    pod_writes = collections.defaultdict(list)
    with open(path) as log:
        for line in log:
            event = json.loads(line)
            ref = event.get('objectRef') or {}
            name = ref.get('name') or ''
            if not name.startswith(prefix) or not (event.get('responseStatus') or {}).get('code', 0) < 300:
                continue
            at = seconds(event['requestReceivedTimestamp'])
            step = (who(event), event['verb'], ref.get('subresource'))
            if ref.get('resource') == 'trainingjobs':
                job_writes[name].append((at, step))
            match = RANK_POD.match(name)
            if match and ref.get('resource') == 'pods':
                done = seconds(event['stageTimestamp'])
                pod_writes[(match.group(1), int(match.group(3)))].append((at, done, name, step))
    return job_writes, pod_writes


def first(times):
    return min(times) if times else None


def last(times):
    return max(times) if times else None


def new_pods(writes):
    """When the operator created an attempt's pods, kube-scheduler bound them and kwok wrote them running."""
    return {
        'first create': first([t for t, _, _, s in writes if s == ('operator', 'create', None)]),
        'last create': last([t for t, _, _, s in writes if s == ('operator', 'create', None)]),
        'last bound': last([t for t, _, _, s in writes if s[0] == 'kube-scheduler' and s[2] == 'binding']),
        # kwok's first status write of each pod (Running, with its IP); a later one is an exit.
        'last running': last(list(first_status(writes).values())),
    }


def first_status(writes):
    by_pod = {}
    for t, _, name, s in writes:
        if s == ('kwok', 'patch', 'status'):
            by_pod[name] = min(t, by_pod.get(name, t))
    return by_pod


def start_steps(job, job_writes, pod_writes):
    created = first([t for t, s in job_writes[job] if s == ('kubectl', 'create', None)])
    if created is None or (job, 1) not in pod_writes:
        return None
    steps = {'decision': first([t for t, s in job_writes[job] if s[0] == 'operator' and s[2] == 'status'])}
    steps.update(new_pods(pod_writes[(job, 1)]))
    return created, steps


def restart_steps(job, attempt, job_writes, pod_writes):
    old, new = pod_writes.get((job, attempt - 1), []), pod_writes.get((job, attempt), [])
    deletes = [t for t, _, _, s in old if s == ('operator', 'delete', None)]
    if not deletes or not new:
        return None
    first_delete = min(deletes)
    relayed = [(t, name) for t, _, name, s in old if s[0] == 'kubectl' and s[1] == 'patch' and t < first_delete]
    statuses = [t for t, s in job_writes[job] if s[0] == 'operator' and s[2] == 'status' and t <= first_delete]
    decision = last(statuses)
    steps = {}
    if relayed:
        anchor, crashed = max(relayed)
        steps['exit on pod'] = first([t for t, _, name, s in old
                                      if name == crashed and s == ('kwok', 'patch', 'status') and t >= anchor])
    else:
        anchor = decision
    steps['decision'] = decision
    steps['first delete'] = first_delete
    # An old pod leaves the API server with the delete that completes (kwok's grace-0 delete, or the operator's own
    # for a pod that had already ended).
    steps['old gone'] = last([done for _, done, _, s in old if s[1] == 'delete'])
    steps.update(new_pods(new))
    return anchor, steps


def show(label, anchor, steps):
    parts = [f"{name} {steps[name] - anchor:.2f}" for name in steps if steps[name] is not None]
    print(f"{label}: " + ", ".join(parts))
    return {name: steps[name] - anchor for name in steps if steps[name] is not None}


def main(path, prefix=''):
    job_writes, pod_writes = read(path, prefix)
    starts, restarts = collections.defaultdict(list), collections.defaultdict(list)
    for job in sorted({job for job, _ in pod_writes}):
        start = start_steps(job, job_writes, pod_writes)
        if start:
            for name, value in show(f"{job} first start", *start).items():
                starts[name].append(value)
        attempt = 2
        while (job, attempt) in pod_writes:
            restart = restart_steps(job, attempt, job_writes, pod_writes)
            if restart:
                for name, value in show(f"{job} attempt {attempt}", *restart).items():
                    restarts[name].append(value)
            attempt += 1
    for label, table in (('first start, from the create', starts), ('restart, from the relayed exit or the decision', restarts)):
        if table:
            print(f"p50 {label} (n): " + ", ".join(
                f"{name} {statistics.median(values):.2f} ({len(values)})" for name, values in table.items()))


if __name__ == '__main__':
    main(*sys.argv[1:])
