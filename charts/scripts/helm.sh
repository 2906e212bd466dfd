#!/usr/bin/env bash
# Prints the path of a Helm v3 binary, building it from the Go module proxy when none is cached.
#
# Lookup order:
#   1. $GANGWAY_HELM, if it names an executable file (an explicit override);
#   2. any ${GANGWAY_CACHE:-$HOME/.cache/gangway}/*/bin/helm, e.g. one built by e2e/cluster/build-tools.sh;
#   3. otherwise: GOBIN=<cache>/helm-<version>/bin go install helm.sh/helm/v3/cmd/helm@<version>
#      (a few minutes and ~300 MB of modules on 2 cores; done once).
# Only the path goes to stdout; progress goes to stderr, so `HELM=$(charts/scripts/helm.sh)` works.
#
# --find-only: print the path of a cached helm (steps 1-2) or exit 1 without building
#              (the chart tests use it, so `mvn test` never starts a multi-minute build by surprise).
set -euo pipefail

FIND_ONLY=false
if [[ "${1:-}" == "--find-only" ]]; then
  FIND_ONLY=true
fi

HELM_VERSION="${GANGWAY_HELM_VERSION:-v3.19.0}"
CACHE="${GANGWAY_CACHE:-$HOME/.cache/gangway}"

if [[ -n "${GANGWAY_HELM:-}" && -x "${GANGWAY_HELM}" ]]; then
  echo "${GANGWAY_HELM}"
  exit 0
fi

# Prefer the exact version we would build, then any other helm already in the cache.
for candidate in "$CACHE/helm-$HELM_VERSION/bin/helm" "$CACHE"/*/bin/helm; do
  if [[ -x "$candidate" ]]; then
    echo "$candidate"
    exit 0
  fi
done

if $FIND_ONLY; then
  echo "helm.sh: no helm binary under $CACHE/*/bin/helm" >&2
  exit 1
fi

if ! command -v go >/dev/null 2>&1; then
  echo "helm.sh: no helm under $CACHE/*/bin/helm and no 'go' on PATH to build one" >&2
  exit 1
fi

target="$CACHE/helm-$HELM_VERSION/bin"
mkdir -p "$target"
echo "helm.sh: building helm $HELM_VERSION into $target (takes a few minutes the first time)..." >&2
# -trimpath keeps the binary reproducible; the version ldflag makes `helm version` report it.
GOBIN="$target" GOFLAGS="${GOFLAGS:-} -buildvcs=false" go install -trimpath \
  -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
  "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
echo "$target/helm"
