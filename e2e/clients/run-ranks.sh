#!/usr/bin/env bash
# Runs real training clients as local processes, one per rank, with the environment Gangway gave the
# rank pods, in a private network, mount and pid namespace: there the ranks' DNS names resolve to
# loopback addresses (an /etc/hosts of their own), /etc/gangway holds the files the pods mount, ports such as
# 29500 cannot collide with anything else on the machine, and everything started ends with the run.
# Nothing outside the namespaces changes: /etc is overlaid on a tmpfs.
#
# Usage: run-ranks.sh DIR [--rank0-decides] -- COMMAND [ARG...]
#   DIR/hosts        lines "<address> <name>" appended to /etc/hosts (each rank its own 127.0.0.x):
#                    what cluster DNS answers for the ranks' names, the same for every rank
#   DIR/rank-N.hosts optional: lines only rank N's /etc/hosts has (as kubelet writes the pod's own
#                    hostname there: other pods cannot resolve it)
#   DIR/pod-network  optional: each rank gets a network namespace of its own whose eth0 has the address
#                    of the first line of DIR/rank-N.hosts, all joined by a bridge, as pods on a pod
#                    network (launchers such as PRRTE's daemons never use loopback interfaces)
#   DIR/etc/...      files placed under /etc (e.g. DIR/etc/gangway/mpi/hostfile)
#   DIR/rank-N.env   the rank's variables, one NAME=value a line, exactly as in its pod
#   DIR/rank-N.hostname  optional: the rank's pod hostname, set in a UTS namespace of its own
#   --rank0-decides  the run ends when rank 0 exits, with its status (ranks serving an MPI launcher
#                    over sshd never exit by themselves; Gangway's successPolicy RankZero does the same)
# Each rank runs COMMAND with only its pod's variables plus PATH (and LAUNCH_ENV, if set: a file of
# further NAME=value lines the harness itself needs); its output goes to DIR/rank-N.out.
# When a rank's process ends, its exit status is written to DIR/rank-N.exit.
# Exit status: 0 when every rank exited 0, else 1. Bounded by RUN_RANKS_TIMEOUT seconds (default 180).
# SIGTERM to the script's outer process (timeout) reaches every rank's process, as a kubelet stopping pods.
set -euo pipefail

DIR=$(cd "$1" && pwd); shift
RANK0_DECIDES=false
while [[ $# -gt 0 && ${1:-} != -- ]]; do
  case $1 in
    --rank0-decides) RANK0_DECIDES=true ;;
    --all) ;;
    *) echo "run-ranks.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ ${1:-} == -- ]] && shift
[[ $# -gt 0 ]] || { echo "usage: run-ranks.sh DIR [--rank0-decides] -- COMMAND [ARG...]" >&2; exit 2; }

if [[ -z ${RUN_RANKS_INSIDE:-} ]]; then
  # unshare --pid --fork: the command is pid 1 of its namespace, so when it exits or is killed by the
  # timeout the kernel ends every process the ranks started.
  exec timeout --kill-after=10 "${RUN_RANKS_TIMEOUT:-180}" \
    env RUN_RANKS_INSIDE=1 unshare --net --mount --pid --fork --mount-proc --propagation private \
    "$0" "$DIR" "$($RANK0_DECIDES && echo --rank0-decides || echo --all)" -- "$@"
fi

ip link set lo up
# sshd's privilege separation directory, without touching the machine's /run.
mount -t tmpfs tmpfs /run
mkdir -p /run/sshd
overlay=$(mktemp -d)
mount -t tmpfs tmpfs "$overlay"
mkdir -p "$overlay/upper" "$overlay/work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$overlay/upper,workdir=$overlay/work" /etc
cat "$DIR/hosts" >> /etc/hosts
# sshd's privilege separation user, which an image with sshd has.
grep -q '^sshd:' /etc/passwd || echo 'sshd:x:64999:65534::/run/sshd:/usr/sbin/nologin' >> /etc/passwd
if [[ -d $DIR/etc ]]; then cp -r "$DIR/etc/." /etc/; fi

pod_network=false
if [[ -f $DIR/pod-network ]]; then
  pod_network=true
  ip link add gw0 type bridge && ip link set gw0 up
fi

pids=()
for envfile in "$DIR"/rank-*.env; do
  rank=${envfile##*/rank-}; rank=${rank%.env}
  mapfile -t vars < "$envfile"
  extra=()
  if [[ -n ${LAUNCH_ENV:-} ]]; then mapfile -t extra < "$LAUNCH_ENV"; fi
  host=$(cat "$DIR/rank-$rank.hostname" 2>/dev/null || hostname)
  cat /etc/hosts "$DIR/rank-$rank.hosts" > "$overlay/hosts-$rank" 2>/dev/null || cp /etc/hosts "$overlay/hosts-$rank"
  netns=()
  if $pod_network; then
    address=$(head -n1 "$DIR/rank-$rank.hosts" | cut -d' ' -f1)
    ip netns add "rank-$rank"
    ip link add "veth$rank" type veth peer name eth0 netns "rank-$rank"
    ip link set "veth$rank" master gw0 up
    ip -n "rank-$rank" link set lo up
    ip -n "rank-$rank" addr add "$address/32" dev eth0
    ip -n "rank-$rank" link set eth0 up
    ip -n "rank-$rank" route add default dev eth0 # every pod address is on the bridge
    netns=(ip netns exec "rank-$rank")
  fi
  (
    code=0
    (cd "$DIR" && exec "${netns[@]}" unshare --uts --mount --propagation private \
        sh -c 'hostname "$0" && mount --bind "$1" /etc/hosts && mount -t tmpfs tmpfs /tmp && shift && exec "$@"' "$host" "$overlay/hosts-$rank" \
        env -i "PATH=$PATH" "HOME=$DIR" "${vars[@]}" "${extra[@]}" "$@") > "$DIR/rank-$rank.out" 2>&1 || code=$?
    # The rank's exit status the moment it ends (a container's exit, for the kubelet's part), written whole.
    echo "$code" > "$DIR/rank-$rank.exit.tmp" && mv "$DIR/rank-$rank.exit.tmp" "$DIR/rank-$rank.exit"
    exit "$code"
  ) &
  pids[$rank]=$!
done
status=0
if $RANK0_DECIDES; then
  wait "${pids[0]}" || status=1
  exit $status # pid 1 of the namespace exits: the kernel ends the other ranks
fi
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
