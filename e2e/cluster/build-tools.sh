#!/usr/bin/env bash
# Builds the e2e control-plane binaries (kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl, etcd, kwok, helm), CoreDNS (with only its kubernetes,
# errors and log plugins: e2e/tools/coredns/main.go) and the node generator from the
# Go modules under e2e/tools, and caches them outside the repository. Kueue's manager
# (upstream cmd/kueue, for the Kueue side-by-side benchmark only) is built only when
# asked for with --only kueue: the suite does not need it.
#
# Cache layout: ${GANGWAY_CACHE:-$HOME/.cache/gangway}/<key>/bin, where <key> names the
# pinned versions plus a hash of every tool's go.mod/go.sum/sources, the Go version
# and the build recipe. A binary is rebuilt only when it is missing for that key; when
# one pin changes, the unchanged tools are hard-linked from an older key directory
# (each binary carries a stamp of its own tool hash), so bumping helm does not
# rebuild Kubernetes.
#
# Usage: build-tools.sh [--print-bin-dir] [--only TOOL[,TOOL...]]
#   --print-bin-dir  print only the bin directory on stdout (progress goes to stderr)
#   --only           build only these tools: kubernetes, etcd, kwok, helm, coredns, nodegen, kueue
# Environment: GANGWAY_CACHE (cache root), GANGWAY_BUILD_PROGRESS_SECONDS (default 30).
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly REPO_DIR
readonly TOOLS_DIR="$REPO_DIR/e2e/tools"
readonly CACHE_ROOT="${GANGWAY_CACHE:-$HOME/.cache/gangway}"
readonly PROGRESS_SECONDS="${GANGWAY_BUILD_PROGRESS_SECONDS:-30}"
# Bump when the way binaries are built changes (flags, layout), to force a rebuild.
readonly RECIPE_VERSION=1
readonly ALL_TOOLS=(kubernetes etcd kwok helm coredns nodegen kueue)
# What a plain run builds. Kueue (~100 MB, tens of minutes cold) serves one benchmark only.
readonly DEFAULT_TOOLS=(kubernetes etcd kwok helm coredns nodegen)

log() { printf '[build-tools] %s\n' "$*" >&2; }
die() { printf '[build-tools] ERROR: %s\n' "$*" >&2; exit 1; }

# Name of the binaries a tool produces.
tool_binaries() {
  case $1 in
    kubernetes) echo kube-apiserver kube-controller-manager kube-scheduler kubectl ;;
    *) echo "$1" ;;
  esac
}

# Go package (relative to the tool's module) that builds a binary.
binary_package() {
  case $1 in
    kube-*|kubectl) echo "k8s.io/kubernetes/cmd/$1" ;;
    kwok) echo "sigs.k8s.io/kwok/cmd/kwok" ;;
    kueue) echo "sigs.k8s.io/kueue/cmd/kueue" ;;
    helm) echo "helm.sh/helm/v3/cmd/helm" ;;
    etcd|coredns|nodegen) echo "." ;;
    *) die "unknown binary $1" ;;
  esac
}

# Version of the module a tool wraps, read from its go.mod require line.
tool_version() {
  local module
  case $1 in
    kubernetes) module=k8s.io/kubernetes ;;
    etcd) module=go.etcd.io/etcd/server/v3 ;;
    kwok) module=sigs.k8s.io/kwok ;;
    helm) module=helm.sh/helm/v3 ;;
    coredns) module=github.com/coredns/coredns ;;
    kueue) module=sigs.k8s.io/kueue ;;
    nodegen) echo local; return ;;
  esac
  awk -v m="$module" '($1 == m || ($1 == "require" && $2 == m)) { print $NF; exit }' \
    "$TOOLS_DIR/$1/go.mod"
}

# Linker flags: strip symbols, and stamp the real release into `--version` output.
tool_ldflags() {
  local tool=$1 version flags="-s -w" kv
  version=$(tool_version "$tool")
  case $tool in
    kubernetes)
      local minor=${version#v1.}; minor=${minor%%.*}
      for kv in "gitVersion=$version" gitMajor=1 "gitMinor=$minor" gitTreeState=clean \
                "buildDate=${BUILD_DATE:-1970-01-01T00:00:00Z}"; do
        flags+=" -X k8s.io/component-base/version.$kv -X k8s.io/client-go/pkg/version.$kv"
      done ;;
    helm)
      local k8s_minor
      k8s_minor=$(awk '$1 == "k8s.io/client-go" { print $2; exit }' "$TOOLS_DIR/helm/go.mod")
      k8s_minor=${k8s_minor#v0.}; k8s_minor=${k8s_minor%%.*}
      flags+=" -X helm.sh/helm/v3/internal/version.version=$version"
      flags+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1"
      flags+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$k8s_minor"
      flags+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1"
      flags+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$k8s_minor" ;;
    kueue)
      flags+=" -X sigs.k8s.io/kueue/pkg/version.GitVersion=$version"
      flags+=" -X sigs.k8s.io/kueue/pkg/version.BuildDate=${BUILD_DATE:-1970-01-01T00:00:00Z}" ;;
  esac
  echo "$flags"
}

# Hash of everything that decides a tool's binaries.
tool_hash() {
  local tool=$1
  {
    echo "recipe=$RECIPE_VERSION go=$GO_VERSION"
    BUILD_DATE=fixed tool_ldflags "$tool"
    find "$TOOLS_DIR/$tool" -maxdepth 1 -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) \
      -print0 | sort -z | xargs -0 sha256sum | sed "s#$TOOLS_DIR/##"
  } | sha256sum | cut -c1-10
}

check_go() {
  command -v go >/dev/null 2>&1 || die "go not found on PATH: install Go >= 1.26 (the e2e tools are built from Go modules)"
  GO_VERSION=$(go env GOVERSION)
  # etcd 3.6.16 needs go >= 1.26; never let go fetch another toolchain.
  export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
}

# Picks the cache key and bin dir for the selected tools' pins.
compute_key() {
  local tool parts="" hashes=""
  for tool in "${ALL_TOOLS[@]}"; do
    TOOL_HASH[$tool]=$(tool_hash "$tool")
    hashes+="${TOOL_HASH[$tool]}"
    [[ $tool == nodegen ]] || parts+="${tool/kubernetes/k8s}-$(tool_version "$tool")_"
  done
  KEY="${parts}$(printf '%s' "$hashes" | sha256sum | cut -c1-8)"
  BIN_DIR="$CACHE_ROOT/$KEY/bin"
}

# Runs a command with its output in a log, printing elapsed time while it runs.
run_with_progress() {
  local label=$1 logfile=$2; shift 2
  local start=$SECONDS pid next=$PROGRESS_SECONDS
  "$@" >"$logfile" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if (( SECONDS - start >= next )); then
      log "  ... still building $label ($(( SECONDS - start ))s elapsed)"
      next=$(( next + PROGRESS_SECONDS ))
    fi
  done
  wait "$pid"
}

explain_failure() {
  local label=$1 logfile=$2
  tail -n 20 "$logfile" >&2 || true
  if grep -qiE 'dial tcp|connection refused|proxy|lookup disabled|403 Forbidden|404 Not Found|no such host|i/o timeout|unrecognized import path|checksum mismatch' "$logfile"; then
    die "building $label failed: a Go module download was refused or unreachable (GOPROXY=$(go env GOPROXY)); full log: $logfile"
  fi
  die "building $label failed; full log: $logfile"
}

# Reuses a binary built with the same tool hash under another key, if there is one.
reuse_from_other_key() {
  local tool=$1 bin=$2 stamp other
  for stamp in "$CACHE_ROOT"/*/bin/".$bin.stamp"; do
    [[ -f $stamp && $(cat "$stamp") == "${TOOL_HASH[$tool]}" ]] || continue
    other=$(dirname "$stamp")/$bin
    [[ -x $other && $other != "$BIN_DIR/$bin" ]] || continue
    ln -f "$other" "$BIN_DIR/$bin" 2>/dev/null || cp "$other" "$BIN_DIR/$bin"
    cp "$stamp" "$BIN_DIR/.$bin.stamp"
    log "reused $bin from $(basename "$(dirname "$(dirname "$other")")")"
    return 0
  done
  return 1
}

build_binary() {
  local tool=$1 bin=$2 pkg ldflags logfile start
  pkg=$(binary_package "$bin")
  ldflags=$(BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ) tool_ldflags "$tool")
  logfile="$CACHE_ROOT/$KEY/logs/$bin.log"
  start=$SECONDS
  log "building $bin ($tool $(tool_version "$tool")) - log: $logfile"
  # Build to a temporary name so an interrupted build never leaves a broken binary.
  (cd "$TOOLS_DIR/$tool" && run_with_progress "$bin" "$logfile" \
      go build -trimpath -ldflags="$ldflags" -o "$BIN_DIR/.$bin.tmp" "$pkg") \
    || explain_failure "$bin" "$logfile"
  mv -f "$BIN_DIR/.$bin.tmp" "$BIN_DIR/$bin"
  echo "${TOOL_HASH[$tool]}" >"$BIN_DIR/.$bin.stamp"
  log "built $bin in $(( SECONDS - start ))s"
  printf '%s %s %ss %s\n' "$(date -u +%FT%TZ)" "$bin" "$(( SECONDS - start ))" "$GO_VERSION" \
    >>"$CACHE_ROOT/$KEY/build-times.txt"
}

ensure_tool() {
  local tool=$1 bin lock
  for bin in $(tool_binaries "$tool"); do
    if [[ -x $BIN_DIR/$bin && -f $BIN_DIR/.$bin.stamp ]]; then
      continue
    fi
    # One build of a binary at a time: parallel e2e runs would otherwise race on go build. Per
    # binary, so a long build (Kueue's) does not hold up runs that need only other, cached tools.
    exec {lock}>"$CACHE_ROOT/.build-$bin.lock"
    flock "$lock"
    if [[ ! -x $BIN_DIR/$bin || ! -f $BIN_DIR/.$bin.stamp ]]; then
      reuse_from_other_key "$tool" "$bin" || build_binary "$tool" "$bin"
    fi
    exec {lock}>&-
  done
}

main() {
  local print_bin_dir=false only="" tool
  while (( $# )); do
    case $1 in
      --print-bin-dir) print_bin_dir=true ;;
      --only) only=${2:?--only needs a list}; shift ;;
      -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}"; exit 0 ;;
      *) die "unknown argument: $1" ;;
    esac
    shift
  done
  check_go
  declare -gA TOOL_HASH=()
  compute_key
  mkdir -p "$BIN_DIR" "$CACHE_ROOT/$KEY/logs"
  local start=$SECONDS
  only=${only//,/ }
  for tool in $only; do
    [[ " ${ALL_TOOLS[*]} " == *" $tool "* ]] || die "unknown tool '$tool' (known: ${ALL_TOOLS[*]})"
  done
  for tool in ${only:-${DEFAULT_TOOLS[@]}}; do
    ensure_tool "${tool}"
  done
  log "tools ready in $BIN_DIR ($(( SECONDS - start ))s)"
  if $print_bin_dir; then echo "$BIN_DIR"; fi
}

main "$@"
