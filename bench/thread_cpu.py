#!/usr/bin/env python3
"""CPU per thread of a Java process while a benchmark runs, read from /proc (Linux), grouped by thread name.

Usage: bench/thread_cpu.py PATTERN [PROCESSES]
Waits for a process whose command line contains PATTERN (quarkus-run.jar for the operator: a worktree's path alone
matches Maven's own JVM too), samples
/proc/PID/task/*/stat every 0.5 s until it exits, prints its CPU by thread group (digits in names folded, JIT
compiler threads kept apart) and per 10 s how much of the process's CPU went to the JIT compilers; then does the same
for the next matching process, PROCESSES times (one per RecoveryBenchmark lane). Threads that ended between two
samples are counted up to their last sample.
"""
import collections
import os
import re
import sys
import time


def find(pattern, skip):
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) in skip or int(entry) == os.getpid():
            continue
        try:
            command = open(f'/proc/{entry}/cmdline', 'rb').read().replace(b'\0', b' ').decode()
        except OSError:
            continue
        if pattern in command and 'thread_cpu.py' not in command:
            return int(entry)
    return None


def ticks(stat):
    fields = stat[stat.rindex(')') + 2:].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def sample(pid):
    threads = {}
    for task in os.listdir(f'/proc/{pid}/task'):
        try:
            stat = open(f'/proc/{pid}/task/{task}/stat').read()
        except OSError:
            continue
        threads[task] = (stat[stat.index('(') + 1:stat.rindex(')')], ticks(stat))
    return threads, ticks(open(f'/proc/{pid}/stat').read())


def watch(pid):
    first = last = None
    latest = {}
    timeline = []
    start = time.time()
    try:
        while True:
            now = sample(pid)
            first = first or now
            last = now
            timeline.append((time.time() - start, now[1], sum(t for name, t in now[0].values() if 'Compiler' in name)))
            latest.update(now[0])
            time.sleep(0.5)
    except OSError:
        pass  # the process ended
    groups = collections.Counter()
    for task, (name, used) in latest.items():
        group = name if 'Compiler' in name else re.sub(r'\d+', 'N', name)
        groups[group] += used - first[0].get(task, (name, 0))[1]
    print(f'=== pid {pid}: {(last[1] - first[1]) / 100:.2f} s CPU over {timeline[-1][0]:.0f} s')
    for group, used in groups.most_common(12):
        print(f'{used / 100:8.2f}  {group}')
    print('per 10 s: process CPU s, of it JIT compilers')
    edge, mark = 10, 0
    for i, (at, cpu, jit) in enumerate(timeline):
        if at >= edge or i == len(timeline) - 1:
            print(f'  {timeline[mark][0]:4.0f}-{at:4.0f} s  {(cpu - timeline[mark][1]) / 100:6.2f}  {(jit - timeline[mark][2]) / 100:6.2f}')
            mark, edge = i, edge + 10


def main(pattern, processes=1):
    seen = set()
    for _ in range(processes):
        pid = None
        while pid is None:
            pid = find(pattern, seen)
            time.sleep(0.3)
        seen.add(pid)
        watch(pid)


if __name__ == '__main__':
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1)
