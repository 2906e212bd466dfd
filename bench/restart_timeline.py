#!/usr/bin/env python3
"""Where each restart's time went, read from the API server's audit log of a RecoveryBenchmark run.

Usage: bench/restart_timeline.py e2e/target/e2e/bench/cluster/logs/audit.log
(run the benchmark with -Dgangway.bench.auditLog=true). Rank pods are named <job>-r<rank>-a<attempt>; for each
attempt after the first, times are seconds after the operator's first delete of the previous attempt's pods:
when the last of those left the API server (the simulated kubelet's final delete), when the operator created
the new attempt's pods, how many it created only after every old pod was gone, and pauses of more than 0.25 s
between two of its creates.
"""
import collections
import json
import re
import sys
from datetime import datetime

RANK_POD = re.compile(r'(.*)-r(\d+)-a(\d+)$')


def seconds(stamp):
    return datetime.fromisoformat(stamp.replace('Z', '+00:00')).timestamp()


def main(path):
    created, operator_deletes, gone = (collections.defaultdict(list) for _ in range(3))
    status_writes = collections.defaultdict(list)
    with open(path) as log:
        for line in log:
            event = json.loads(line)
            ref = event.get('objectRef') or {}
            by_operator = 'gangway-operator' in event.get('userAgent', '')
            at = seconds(event['requestReceivedTimestamp'])
            if ref.get('resource') == 'trainingjobs' and ref.get('subresource') == 'status' and by_operator:
                status_writes[ref['name']].append(at)
            match = RANK_POD.match(ref.get('name') or '')
            if not match or ref.get('resource') != 'pods' or ref.get('subresource'):
                continue
            key = (match.group(1), int(match.group(3)))
            ok = (event.get('responseStatus') or {}).get('code') == 200
            if by_operator and event['verb'] == 'create':
                created[key].append(at)
            elif by_operator and event['verb'] == 'delete':
                operator_deletes[key].append(at)
            elif event['verb'] == 'delete' and ok:
                gone[key].append(seconds(event['stageTimestamp']))
    for job, attempt in sorted(created):
        before = (job, attempt - 1)
        if before not in operator_deletes or before not in gone:
            continue
        start = min(operator_deletes[before])
        creates = sorted(t - start for t in created[(job, attempt)])
        last_gone = max(gone[before]) - start
        pauses = [(round(a, 2), round(b - a, 2)) for a, b in zip(creates, creates[1:]) if b - a > 0.25]
        writes = [round(t - start, 2) for t in status_writes[job] if 0 < t - start < 3]
        print(f"{job} attempt {attempt}: old pods gone by {last_gone:.2f} s; creates {creates[0]:.2f}-{creates[-1]:.2f} s, "
              f"{sum(1 for t in creates if t > last_gone)} of {len(creates)} after the last old pod left; "
              f"pauses > 0.25 s {pauses}; status writes at {writes}")


if __name__ == '__main__':
    main(sys.argv[1])
