#!/usr/bin/env bash
# Checks a running e2e cluster: pods on fake GPU nodes run, and each failure-injection
# annotation of kwok-stages.yaml does what README.md says. Uses only the cluster's own
# kubectl. Works in a namespace of its own and deletes it at the end.
#
# Usage: smoke-test.sh [--name NAME] [--dir DIR]    (the cluster must be up)
set -euo pipefail

NAME=gangway
DIR=""
NS=gangway-smoke
FAILURES=0

log() { printf '[smoke] %s\n' "$*" >&2; }

k() { "$GANGWAY_BIN_DIR/kubectl" "$@"; }

# pod NAME [ANNOTATIONS_JSON] [NODE]: a one-container pod asking for 8 GPUs.
make_pod() {
  local name=$1 annotations=${2:-"{}"} node=${3:-}
  k -n "$NS" create -f - >/dev/null <<EOF
{"apiVersion": "v1", "kind": "Pod",
 "metadata": {"name": "$name", "annotations": $annotations},
 "spec": {"restartPolicy": "Never", ${node:+"nodeName": "$node",}
          "containers": [{"name": "trainer", "image": "example.invalid/trainer:1",
                          "resources": {"limits": {"nvidia.com/gpu": "8"}}}]}}
EOF
}

# expect WHAT JSONPATH WANT [TIMEOUT]: polls `kubectl get WHAT -o jsonpath` until it prints WANT.
expect() {
  local what=$1 path=$2 want=$3 timeout=${4:-20} got="" deadline
  deadline=$(( SECONDS + timeout ))
  while (( SECONDS < deadline )); do
    got=$(k -n "$NS" get "$what" -o "jsonpath=$path" 2>/dev/null || true)
    [[ $got == "$want" ]] && { log "ok   $what $path = $want"; return 0; }
    sleep 0.5
  done
  log "FAIL $what $path: want '$want', got '$got' after ${timeout}s"
  FAILURES=$(( FAILURES + 1 ))
}

# expect_gone POD [TIMEOUT]: polls until the pod is NotFound.
expect_gone() {
  local pod=$1 timeout=${2:-20} deadline out
  deadline=$(( SECONDS + timeout ))
  while (( SECONDS < deadline )); do
    out=$(k -n "$NS" get pod "$pod" 2>&1 || true)
    if [[ $out == *NotFound* ]]; then
      log "ok   pod/$pod is gone"; return 0
    fi
    sleep 0.5
  done
  log "FAIL pod/$pod still exists after ${timeout}s"
  FAILURES=$(( FAILURES + 1 ))
}

terminated='{.status.phase}/{.status.containerStatuses[0].state.terminated.exitCode}/{.status.containerStatuses[0].state.terminated.reason}'

check_pods() {
  make_pod run
  expect pod/run '{.status.phase}/{.status.containerStatuses[0].ready}' Running/true
  make_pod exit3; make_pod oom; make_pod zero; make_pod later
  make_pod tmpl '{"gangway.dev/e2e-succeed-after": "2s"}'
  make_pod delayed '{"gangway.dev/e2e-exit-code": "1", "gangway.dev/e2e-exit-after": "2s"}'
  expect pod/exit3 '{.status.phase}' Running
  expect pod/oom '{.status.phase}' Running
  expect pod/zero '{.status.phase}' Running
  expect pod/later '{.status.phase}' Running
  k -n "$NS" annotate pod exit3 gangway.dev/e2e-exit-code=3 >/dev/null
  k -n "$NS" annotate pod oom gangway.dev/e2e-exit-code=137 gangway.dev/e2e-reason=OOMKilled >/dev/null
  k -n "$NS" annotate pod zero gangway.dev/e2e-exit-code=0 >/dev/null
  k -n "$NS" annotate pod later gangway.dev/e2e-succeed-after=2s >/dev/null
  expect pod/exit3 "$terminated" Failed/3/Error
  expect pod/oom "$terminated" Failed/137/OOMKilled
  expect pod/zero "$terminated" Succeeded/0/Completed
  expect pod/later "$terminated" Succeeded/0/Completed
  expect pod/tmpl "$terminated" Succeeded/0/Completed
  expect pod/delayed "$terminated" Failed/1/Error
  # Still Running: nothing completes a pod that is not owned by a Job.
  expect pod/run '{.status.phase}' Running
  k -n "$NS" delete pod run --wait=true --timeout=20s >/dev/null
  expect_gone run
}

check_job_and_gc() {
  k -n "$NS" create job job --image=example.invalid/x -- true >/dev/null
  expect job/job '{.status.succeeded}' 1
  k -n "$NS" create configmap owner >/dev/null
  local uid
  uid=$(k -n "$NS" get configmap owner -o jsonpath='{.metadata.uid}')
  make_pod owned "{}"
  k -n "$NS" patch pod owned --type merge \
    -p "{\"metadata\":{\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"owner\",\"uid\":\"$uid\"}]}}" >/dev/null
  k -n "$NS" delete configmap owner >/dev/null
  expect_gone owned 30
}

check_node_not_ready() {
  local node
  node=$(k get nodes -l type=kwok -o jsonpath='{.items[0].metadata.name}')
  k annotate node "$node" gangway.dev/e2e-node-not-ready=true >/dev/null
  expect "node/$node" '{.status.conditions[?(@.type=="Ready")].status}' False
  k annotate node "$node" gangway.dev/e2e-node-not-ready- >/dev/null
  expect "node/$node" '{.status.conditions[?(@.type=="Ready")].status}' True
}

main() {
  while (( $# )); do
    case $1 in
      --name) NAME=$2; shift ;;
      --dir) DIR=$2; shift ;;
      *) echo "usage: smoke-test.sh [--name NAME] [--dir DIR]" >&2; exit 2 ;;
    esac
    shift
  done
  DIR=${DIR:-${GANGWAY_CLUSTER_DIR:-/tmp/gangway-clusters}/$NAME}
  [[ -f $DIR/cluster.env ]] || { log "no cluster in $DIR (run cluster.sh up first)"; exit 1; }
  # shellcheck source=/dev/null
  . "$DIR/cluster.env"
  k create namespace "$NS" >/dev/null
  trap 'k delete namespace "$NS" --wait=false >/dev/null 2>&1 || true' EXIT
  until k -n "$NS" get serviceaccount default >/dev/null 2>&1; do sleep 0.2; done
  check_pods
  check_job_and_gc
  check_node_not_ready
  if (( FAILURES > 0 )); then log "$FAILURES check(s) failed"; exit 1; fi
  log "all checks passed"
}

main "$@"
