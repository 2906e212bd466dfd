#!/usr/bin/env bash
# Starts, stops and inspects a Kubernetes control plane made of local processes
# (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) plus the KWOK
# controller that simulates GPU nodes. Everything listens on 127.0.0.1 only.
#
# Usage: cluster.sh up|down|status|restart|stop|start [options]
#   --name NAME        cluster name (default gangway)
#   --dir DIR          state directory (default ${GANGWAY_CLUSTER_DIR:-/tmp/gangway-clusters}/NAME)
#   --port-base N      first of 10 ports this cluster uses (default 27000); clusters whose
#                      port bases differ by 10 or more do not collide
#   --nodes FILE       cluster description for `up` (default e2e/clusters/small.yaml),
#                      or "none" for no nodes
#   --timeout SECONDS  how long `up` waits for each component and for the nodes (default 120)
#   --keep             `down` keeps DIR (logs, etcd data)
#   --audit-log        `up`: the apiserver writes an audit log of every write request
#                      (DIR/logs/audit.log, JSON lines, level Metadata; reads are not logged but
#                      those of ServiceAccounts in gangway-system and gangway-scoped-system)
#   --client-qps N     `up`: kube-scheduler's and kube-controller-manager's API clients may send N
#                      requests a second (burst 2N) instead of their defaults (50 and 20, per
#                      controller), as large clusters are tuned and kwokctl's disableQPSLimits does;
#                      kept for `restart`
#   --component NAME   `restart`: stop and start one component of a running cluster
#                      (kube-apiserver, kube-scheduler, kube-controller-manager or kwok), as a
#                      crash and restart of that process would (its log is appended);
#                      `stop` and `start`: one component of a running cluster, down for as long as
#                      a test needs (e.g. kube-controller-manager, so that no garbage collector runs)
# Environment: GANGWAY_BIN_DIR (use these binaries instead of build-tools.sh's cache).
#
# `up` leaves: DIR/kubeconfig (admin token), DIR/operator-{a,b}.kubeconfig (two more
# cluster-admin users, gangway-operator-a and -b, so that two operator replicas are told apart
# in the audit log), DIR/cluster.env (KUBECONFIG, ports, bin dir),
# DIR/topology.yaml (the ClusterTopology matching the nodes), DIR/logs/*.log, DIR/pids/*.pid.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)
readonly SCRIPT_DIR REPO_DIR
# Start order; `down` stops them in reverse.
readonly COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
readonly STOP_GRACE_SECONDS=10

NAME=gangway
DIR=""
PORT_BASE=27000
NODES_FILE="$REPO_DIR/e2e/clusters/small.yaml"
TIMEOUT=120
KEEP=false
AUDIT_LOG=false
CLIENT_QPS=""
COMPONENT=""

log() { printf '[cluster %s] %s\n' "$NAME" "$*" >&2; }
die() { printf '[cluster %s] ERROR: %s\n' "$NAME" "$*" >&2; exit 1; }

# --- ports -------------------------------------------------------------------------

port_of() {
  case $1 in
    etcd) echo $(( PORT_BASE )) ;;
    etcd-peer) echo $(( PORT_BASE + 1 )) ;;
    kube-apiserver) echo $(( PORT_BASE + 2 )) ;;
    kube-controller-manager) echo $(( PORT_BASE + 3 )) ;;
    kube-scheduler) echo $(( PORT_BASE + 4 )) ;;
    kwok) echo $(( PORT_BASE + 5 )) ;;
  esac
}

# Health endpoint of a component: "URL" checked with curl.
health_url() {
  case $1 in
    etcd) echo "http://127.0.0.1:$(port_of etcd)/health" ;;
    kube-apiserver) echo "https://127.0.0.1:$(port_of kube-apiserver)/readyz" ;;
    kube-controller-manager|kube-scheduler) echo "https://127.0.0.1:$(port_of "$1")/healthz" ;;
    kwok) echo "http://127.0.0.1:$(port_of kwok)/healthz" ;;
  esac
}

port_in_use() {
  # bash's /dev/tcp connects: success means something already listens there.
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

check_ports_free() {
  local c port
  for c in etcd etcd-peer kube-apiserver kube-controller-manager kube-scheduler kwok; do
    port=$(port_of "$c")
    if port_in_use "$port"; then
      die "port $port (for $c) on 127.0.0.1 is already in use: choose another --port-base"
    fi
  done
}

# --- processes ---------------------------------------------------------------------

pid_file() { echo "$DIR/pids/$1.pid"; }

# Prints the recorded pid of a component if that process is still ours: alive, and its
# command line mentions DIR (guards against a recycled pid).
running_pid() {
  local file pid
  file=$(pid_file "$1")
  [[ -f $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$DIR" || return 1
  echo "$pid"
}

start_component() {
  local component=$1; shift
  log "starting $component (log: $DIR/logs/$component.log)"
  # setsid: the cluster outlives the shell that ran `up` and its Ctrl-C. Appended, so a
  # restarted component keeps the log of its previous run.
  setsid "$@" >>"$DIR/logs/$component.log" 2>&1 </dev/null &
  echo $! >"$(pid_file "$component")"
}

wait_ready() {
  local component=$1 url deadline
  url=$(health_url "$component")
  deadline=$(( SECONDS + TIMEOUT ))
  until curl -fsS --max-time 2 --cacert "$DIR/pki/ca.crt" -k "$url" >/dev/null 2>&1; do
    # Look twice: /proc/PID/cmdline reads empty for an instant while the process execs, which is no exit.
    if ! running_pid "$component" >/dev/null && ! { sleep 0.5; running_pid "$component" >/dev/null; }; then
      tail -n 15 "$DIR/logs/$component.log" >&2 || true
      die "$component exited during start-up; see $DIR/logs/$component.log"
    fi
    if (( SECONDS >= deadline )); then
      tail -n 15 "$DIR/logs/$component.log" >&2 || true
      die "$component not ready at $url after ${TIMEOUT}s; see $DIR/logs/$component.log"
    fi
    sleep 0.2
  done
}

# Sends TERM to the recorded pids of the given components, waits up to the grace period
# for all of them, then KILLs what is left. Only pids recorded in DIR/pids are touched.
stop_components() {
  local component pid waited=0 alive
  local -a pids=()
  for component in "$@"; do
    if pid=$(running_pid "$component"); then
      log "stopping $component (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
    rm -f "$(pid_file "$component")"
  done
  while :; do
    alive=()
    for pid in "${pids[@]}"; do [[ -d /proc/$pid ]] && alive+=("$pid"); done
    (( ${#alive[@]} == 0 )) && return 0
    (( waited >= STOP_GRACE_SECONDS * 10 )) && break
    sleep 0.1; waited=$(( waited + 1 ))
  done
  log "pids ${alive[*]} ignored TERM for ${STOP_GRACE_SECONDS}s: sending KILL"
  kill -KILL "${alive[@]}" 2>/dev/null || true
  for pid in "${alive[@]}"; do
    while [[ -d /proc/$pid ]]; do sleep 0.1; done
  done
}

# etcd last, so the others can still reach storage while they shut down.
stop_all() {
  stop_components kwok kube-scheduler kube-controller-manager kube-apiserver
  stop_components etcd
}

# --- certificates, tokens, kubeconfigs --------------------------------------------

# A CA, an apiserver serving certificate signed by it, and a service-account key pair.
make_pki() {
  local pki=$DIR/pki
  mkdir -p "$pki"
  openssl genrsa -out "$pki/ca.key" 2048 2>/dev/null
  openssl req -x509 -new -key "$pki/ca.key" -days 30 -subj "/CN=gangway-e2e-ca" \
    -out "$pki/ca.crt" 2>/dev/null
  openssl genrsa -out "$pki/apiserver.key" 2048 2>/dev/null
  openssl req -new -key "$pki/apiserver.key" -subj "/CN=kube-apiserver" \
    -out "$pki/apiserver.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\nextendedKeyUsage=serverAuth\n' \
    >"$pki/apiserver.ext"
  openssl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
    -CAcreateserial -days 30 -extfile "$pki/apiserver.ext" -out "$pki/apiserver.crt" 2>/dev/null
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
}

random_token() { openssl rand -hex 16; }

# One static token per client; RBAC's bootstrap roles know the component users.
make_tokens() {
  local file=$DIR/pki/tokens.csv
  ADMIN_TOKEN=$(random_token)
  {
    echo "$ADMIN_TOKEN,admin,uid-admin,\"system:masters\""
    echo "$(random_token),system:kube-controller-manager,uid-kcm"
    echo "$(random_token),system:kube-scheduler,uid-scheduler"
    # kwok writes node and pod status, leases and deletes pods: it gets full rights.
    echo "$(random_token),kwok-controller,uid-kwok,\"system:masters\""
    # Two operator identities, one per replica, so that the audit log tells them apart.
    echo "$(random_token),gangway-operator-a,uid-operator-a,\"system:masters\""
    echo "$(random_token),gangway-operator-b,uid-operator-b,\"system:masters\""
  } >"$file"
  chmod 600 "$file"
}

token_of() { awk -F, -v u="$1" '$2 == u { print $1 }' "$DIR/pki/tokens.csv"; }

# write_kubeconfig FILE USER
write_kubeconfig() {
  local file=$1 user=$2 ca
  ca=$(base64 -w0 <"$DIR/pki/ca.crt")
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: $NAME
  cluster:
    server: https://127.0.0.1:$(port_of kube-apiserver)
    certificate-authority-data: $ca
users:
- name: $user
  user:
    token: $(token_of "$user")
contexts:
- name: $NAME
  context: {cluster: $NAME, user: $user}
current-context: $NAME
EOF
  chmod 600 "$file"
}

# --- components --------------------------------------------------------------------

start_etcd() {
  start_component etcd "$BIN_DIR/etcd" \
    --name "$NAME" --data-dir "$DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$(port_of etcd)" \
    --advertise-client-urls "http://127.0.0.1:$(port_of etcd)" \
    --listen-peer-urls "http://127.0.0.1:$(port_of etcd-peer)" \
    --initial-advertise-peer-urls "http://127.0.0.1:$(port_of etcd-peer)" \
    --initial-cluster "$NAME=http://127.0.0.1:$(port_of etcd-peer)" \
    --unsafe-no-fsync --log-level warn
}

# The audit policy of --audit-log: every write, with who sent it (user, user agent) and when;
# reads and kwok's node Lease renewals are left out to keep the log small, except the reads of the
# ServiceAccounts of the namespaces ChartInstallE2eTest installs the chart in, so that the chart's
# RBAC can be judged by everything its operator did.
write_audit_policy() {
  cat >"$DIR/audit-policy.yaml" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived", "ResponseStarted"]
rules:
- level: Metadata
  userGroups: ["system:serviceaccounts:gangway-system", "system:serviceaccounts:gangway-scoped-system"]
- level: None
  verbs: ["get", "list", "watch"]
- level: None
  users: ["kwok-controller"]
  resources:
  - group: "coordination.k8s.io"
    resources: ["leases"]
- level: Metadata
EOF
}

# --allow-privileged=true as kubeadm and managed clusters set it: without it the apiserver refuses every
# privileged pod itself, and neither the chart's template policy nor Pod Security Admission could be shown
# to be what stops one. MutatingAdmissionPolicy (beta in 1.34, off by default) lets a test mutate pods at
# admission as a platform's sidecar-injecting webhook does, without running a webhook server; it acts only
# where a test creates a policy.
start_apiserver() {
  local pki=$DIR/pki
  local -a audit=()
  # Decided at `up` (the policy file exists), so a restarted apiserver keeps auditing.
  if [[ -f $DIR/audit-policy.yaml ]]; then
    # maxsize 0 is not "unlimited": the log rotates at 100 MB (a 2,000-rank restart writes more), and the tallies
    # read one file.
    audit=(--audit-policy-file "$DIR/audit-policy.yaml" --audit-log-path "$DIR/logs/audit.log"
      --audit-log-format json --audit-log-maxsize 100000)
  fi
  start_component kube-apiserver "$BIN_DIR/kube-apiserver" "${audit[@]}" \
    --etcd-servers "http://127.0.0.1:$(port_of etcd)" \
    --bind-address 127.0.0.1 --secure-port "$(port_of kube-apiserver)" \
    --advertise-address 127.0.0.1 \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" \
    --token-auth-file "$pki/tokens.csv" \
    --authorization-mode Node,RBAC \
    --allow-privileged=true \
    --feature-gates MutatingAdmissionPolicy=true \
    --runtime-config admissionregistration.k8s.io/v1beta1=true \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$pki/sa.pub" \
    --service-account-signing-key-file "$pki/sa.key" \
    --service-cluster-ip-range 10.0.0.0/24 \
    --profiling=false
}

# --kube-api-qps/--kube-api-burst for kube-scheduler and kube-controller-manager: none unless
# `up --client-qps` asked for them (decided at `up`, so a restarted component keeps them).
client_qps_flags() {
  [[ -f $DIR/client-qps ]] || return 0
  local qps
  qps=$(<"$DIR/client-qps")
  echo "--kube-api-qps $qps --kube-api-burst $(( qps * 2 ))"
}

start_controller_manager() {
  # Each controller gets its own service account (as kubeadm does), so RBAC's
  # bootstrap roles apply; node IPAM is off because no node needs a pod CIDR.
  start_component kube-controller-manager "$BIN_DIR/kube-controller-manager" \
    --kubeconfig "$DIR/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig "$DIR/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig "$DIR/kube-controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$(port_of kube-controller-manager)" \
    --cert-dir "$DIR/pki/kube-controller-manager" \
    --leader-elect=false \
    --use-service-account-credentials=true \
    --controllers '*,-nodeipam,-bootstrapsigner,-tokencleaner' \
    --service-account-private-key-file "$DIR/pki/sa.key" \
    --root-ca-file "$DIR/pki/ca.crt" \
    --service-cluster-ip-range 10.0.0.0/24 \
    --profiling=false $(client_qps_flags)
}

start_scheduler() {
  start_component kube-scheduler "$BIN_DIR/kube-scheduler" \
    --kubeconfig "$DIR/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig "$DIR/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig "$DIR/kube-scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$(port_of kube-scheduler)" \
    --cert-dir "$DIR/pki/kube-scheduler" \
    --leader-elect=false \
    --profiling=false $(client_qps_flags)
}

start_kwok() {
  # Pod IPs come from --cidr: a /10 so that 2,048 nodes x 110 pods never run out.
  start_component kwok "$BIN_DIR/kwok" \
    --kubeconfig "$DIR/kwok.kubeconfig" \
    --config "$SCRIPT_DIR/kwok-stages.yaml" \
    --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --node-lease-duration-seconds 40 \
    --cidr 10.64.0.0/10 \
    --server-address "127.0.0.1:$(port_of kwok)"
}

# --- nodes -------------------------------------------------------------------------

kubectl_() { "$BIN_DIR/kubectl" --kubeconfig "$DIR/kubeconfig" "$@"; }

create_nodes() {
  local count start
  [[ $NODES_FILE == none ]] && return 0
  [[ -f $NODES_FILE ]] || die "cluster description not found: $NODES_FILE"
  "$BIN_DIR/nodegen" -description "$NODES_FILE" -out "$DIR/nodes" -batch 128
  mv "$DIR/nodes/topology.yaml" "$DIR/topology.yaml"
  count=$(cat "$DIR"/nodes/nodes-*.yaml | grep -c '^kind: Node$')
  log "creating $count nodes from $NODES_FILE"
  start=$SECONDS
  # Several kubectl processes at once: one kubectl creates objects one request at a time.
  printf '%s\0' "$DIR"/nodes/nodes-*.yaml \
    | xargs -0 -n 1 -P 4 "$BIN_DIR/kubectl" --kubeconfig "$DIR/kubeconfig" create -o name -f \
    >/dev/null
  log "created $count nodes in $(( SECONDS - start ))s; waiting for them to be Ready"
  wait_nodes_ready "$count"
}

wait_nodes_ready() {
  local want=$1 ready deadline=$(( SECONDS + TIMEOUT ))
  while :; do
    ready=$(kubectl_ get nodes -l type=kwok --no-headers 2>/dev/null | awk '$2 == "Ready"' | wc -l)
    (( ready >= want )) && break
    (( SECONDS < deadline )) || die "only $ready of $want nodes Ready after ${TIMEOUT}s; see $DIR/logs/kwok.log"
    sleep 1
  done
  log "$ready nodes Ready"
  # Ready is not yet schedulable: kube-controller-manager's node lifecycle controller lifts each new node's
  # node.kubernetes.io/not-ready taint itself, at its own client QPS (about 5 nodes/s here: 26 s for the
  # 128-node superpod). A job applied before then waits for nodes (measured as a 12-14 s "cold first start").
  local taints tainted=$want start=$SECONDS
  deadline=$(( SECONDS + TIMEOUT ))
  while :; do
    if taints=$(kubectl_ get nodes -l type=kwok -o jsonpath='{range .items[*]}{.spec.taints[*].key}{"\n"}{end}' 2>/dev/null); then
      tainted=$(grep -c -E 'node\.kubernetes\.io/(not-ready|unreachable)' <<<"$taints" || true)
      (( tainted == 0 )) && break
    fi
    (( SECONDS < deadline )) || die "$tainted of $want nodes still tainted not-ready after ${TIMEOUT}s; see $DIR/logs/kube-controller-manager.log"
    sleep 1
  done
  log "$want nodes schedulable (not-ready taints lifted in $(( SECONDS - start ))s)"
}

# Namespaces need their default service account before pods can be created in them.
wait_default_service_account() {
  local deadline=$(( SECONDS + TIMEOUT ))
  until kubectl_ get serviceaccount default -n default >/dev/null 2>&1; do
    (( SECONDS < deadline )) || die "no default service account after ${TIMEOUT}s; see $DIR/logs/kube-controller-manager.log"
    sleep 0.5
  done
}

write_env() {
  cat >"$DIR/cluster.env" <<EOF
# Source this file to use the cluster: . $DIR/cluster.env
export KUBECONFIG=$DIR/kubeconfig
export GANGWAY_CLUSTER_NAME=$NAME
export GANGWAY_CLUSTER_STATE_DIR=$DIR
export GANGWAY_BIN_DIR=$BIN_DIR
export GANGWAY_APISERVER=https://127.0.0.1:$(port_of kube-apiserver)
export GANGWAY_TOPOLOGY=$DIR/topology.yaml
EOF
}

# --- commands ----------------------------------------------------------------------

on_failed_up() {
  log "up failed: stopping what was started; logs kept in $DIR/logs"
  stop_all
}

cmd_up() {
  local start=$SECONDS c
  for c in "${COMPONENTS[@]}"; do
    running_pid "$c" >/dev/null && die "cluster already running in $DIR (component $c); run: $0 down --dir $DIR"
  done
  BIN_DIR=${GANGWAY_BIN_DIR:-$("$SCRIPT_DIR/build-tools.sh" --print-bin-dir)}
  for c in "${COMPONENTS[@]}" kubectl nodegen; do
    [[ -x $BIN_DIR/$c ]] || die "binary $BIN_DIR/$c is missing: run e2e/cluster/build-tools.sh"
  done
  check_ports_free
  rm -rf "$DIR"
  mkdir -p "$DIR/logs" "$DIR/pids"
  echo "$PORT_BASE" >"$DIR/port-base"
  [[ -z $CLIENT_QPS ]] || echo "$CLIENT_QPS" >"$DIR/client-qps"
  # On any failure (die exits), stop what was started and keep DIR for its logs.
  trap on_failed_up EXIT
  make_pki
  make_tokens
  write_kubeconfig "$DIR/kubeconfig" admin
  write_kubeconfig "$DIR/kube-controller-manager.kubeconfig" system:kube-controller-manager
  write_kubeconfig "$DIR/kube-scheduler.kubeconfig" system:kube-scheduler
  write_kubeconfig "$DIR/kwok.kubeconfig" kwok-controller
  write_kubeconfig "$DIR/operator-a.kubeconfig" gangway-operator-a
  write_kubeconfig "$DIR/operator-b.kubeconfig" gangway-operator-b
  if $AUDIT_LOG; then write_audit_policy; fi
  start_etcd; wait_ready etcd
  start_apiserver; wait_ready kube-apiserver
  # These three only need the apiserver: start them together, then wait for each.
  start_controller_manager; start_scheduler; start_kwok
  wait_ready kube-controller-manager; wait_ready kube-scheduler; wait_ready kwok
  log "control plane ready in $(( SECONDS - start ))s"
  wait_default_service_account
  write_env
  create_nodes
  trap - EXIT
  log "cluster up in $(( SECONDS - start ))s: export KUBECONFIG=$DIR/kubeconfig (or . $DIR/cluster.env)"
}

cmd_down() {
  if [[ ! -d $DIR ]]; then
    log "nothing to stop: $DIR does not exist"
    return 0
  fi
  stop_all
  if $KEEP; then
    log "stopped; kept $DIR"
  else
    rm -rf "$DIR"
    log "stopped; removed $DIR"
  fi
}

# Loads what `up` recorded, for a command on one component of a running cluster.
load_running_cluster() {
  [[ -f $DIR/cluster.env ]] || die "no running cluster in $DIR"
  PORT_BASE=$(<"$DIR/port-base")
  BIN_DIR=$(sed -n 's/^export GANGWAY_BIN_DIR=//p' "$DIR/cluster.env")
  NAME=$(sed -n 's/^export GANGWAY_CLUSTER_NAME=//p' "$DIR/cluster.env")
  [[ $COMPONENT =~ ^(kube-apiserver|kube-scheduler|kube-controller-manager|kwok)$ ]] \
    || die "--component must be kube-apiserver, kube-scheduler, kube-controller-manager or kwok"
}

start_one() {
  case $COMPONENT in
    kube-apiserver) start_apiserver ;;
    kube-scheduler) start_scheduler ;;
    kube-controller-manager) start_controller_manager ;;
    kwok) start_kwok ;;
  esac
  wait_ready "$COMPONENT"
}

cmd_restart() {
  load_running_cluster
  local start=$SECONDS
  stop_components "$COMPONENT"
  start_one
  log "restarted $COMPONENT in $(( SECONDS - start ))s"
}

cmd_stop() {
  load_running_cluster
  stop_components "$COMPONENT"
  log "stopped $COMPONENT; \`start --component $COMPONENT\` starts it again"
}

cmd_start() {
  load_running_cluster
  if running_pid "$COMPONENT" >/dev/null; then
    log "$COMPONENT is running already"
    return 0
  fi
  start_one
  log "started $COMPONENT"
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

cmd_status() {
  local c pid rss total=0 any=false
  [[ -d $DIR ]] || { echo "cluster $NAME: not found ($DIR)"; return 1; }
  # Ports as `up` chose them, whatever --port-base says now.
  [[ -f $DIR/port-base ]] && PORT_BASE=$(<"$DIR/port-base")
  echo "cluster $NAME in $DIR"
  printf '%-24s %-8s %-7s %-10s %s\n' COMPONENT PID PORT RSS_MiB STATE
  for c in "${COMPONENTS[@]}"; do
    if pid=$(running_pid "$c"); then
      rss=$(rss_kib "$pid"); total=$(( total + rss )); any=true
      printf '%-24s %-8s %-7s %-10s %s\n' "$c" "$pid" "$(port_of "$c")" $(( rss / 1024 )) running
    else
      printf '%-24s %-8s %-7s %-10s %s\n' "$c" - "$(port_of "$c")" - stopped
    fi
  done
  echo "total RSS: $(( total / 1024 )) MiB"
  if $any && running_pid kube-apiserver >/dev/null; then
    BIN_DIR=$(sed -n 's/^export GANGWAY_BIN_DIR=//p' "$DIR/cluster.env" 2>/dev/null || true)
    if [[ -x ${BIN_DIR:-}/kubectl ]]; then
      echo "nodes: $(kubectl_ get nodes --no-headers 2>/dev/null | awk '{ n[$2]++ } END { for (s in n) printf "%s=%d ", s, n[s] }')"
    fi
    echo "KUBECONFIG=$DIR/kubeconfig"
  fi
}

parse_args() {
  COMMAND=${1:-}
  [[ $COMMAND =~ ^(up|down|status|restart|stop|start)$ ]] || { sed -n '2,32p' "${BASH_SOURCE[0]}" >&2; exit 2; }
  shift
  while (( $# )); do
    case $1 in
      --name) NAME=${2:?--name needs a value}; shift ;;
      --dir) DIR=${2:?--dir needs a value}; shift ;;
      --port-base) PORT_BASE=${2:?--port-base needs a value}; shift ;;
      --nodes) NODES_FILE=${2:?--nodes needs a value}; shift ;;
      --timeout) TIMEOUT=${2:?--timeout needs a value}; shift ;;
      --keep) KEEP=true ;;
      --audit-log) AUDIT_LOG=true ;;
      --client-qps) CLIENT_QPS=${2:?--client-qps needs a value}; shift ;;
      --component) COMPONENT=${2:?--component needs a value}; shift ;;
      *) die "unknown argument: $1" ;;
    esac
    shift
  done
  [[ $NAME =~ ^[a-z0-9][a-z0-9-]*$ ]] || die "--name must be lower-case letters, digits and dashes"
  if ! [[ $PORT_BASE =~ ^[0-9]+$ ]] || (( PORT_BASE < 1024 || PORT_BASE > 65525 )); then
    die "--port-base must be a number between 1024 and 65525"
  fi
  if [[ -n $CLIENT_QPS ]] && ! [[ $CLIENT_QPS =~ ^[1-9][0-9]{0,4}$ ]]; then
    die "--client-qps must be a whole number of requests a second, 1 to 99999"
  fi
  DIR=${DIR:-${GANGWAY_CLUSTER_DIR:-/tmp/gangway-clusters}/$NAME}
  mkdir -p "$(dirname "$DIR")"
  DIR=$(cd "$(dirname "$DIR")" && pwd)/$(basename "$DIR")
  if [[ $NODES_FILE != none ]]; then
    NODES_FILE=$(cd "$(dirname "$NODES_FILE")" && pwd)/$(basename "$NODES_FILE")
  fi
}

main() {
  parse_args "$@"
  "cmd_$COMMAND"
}

main "$@"
