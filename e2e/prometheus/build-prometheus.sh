#!/usr/bin/env bash
# Installs Prometheus and promtool from Debian's package, without root: `apt-get download` fetches the .deb
# (from the machine's configured Debian mirror, nothing else) and `dpkg-deb -x` unpacks it into a cache
# outside the repository. Nothing is installed system-wide and no service starts.
# The chart tests run promtool on the chart's alert rules; PrometheusE2eTest runs prometheus.
# Cold: ~5 s (19 MB download); then cached.
#
# Cache layout: ${GANGWAY_CACHE:-$HOME/.cache/gangway}/prometheus-<debian version>/{usr/bin/prometheus,usr/bin/promtool}
#
# Usage: build-prometheus.sh [--print-dir] [--find-only]
#   --print-dir  print only the directory holding prometheus and promtool on stdout (progress goes to stderr)
#   --find-only  never download: exit 1 when the cache has no binaries (tests use it, to skip with a reason)
# Environment: GANGWAY_CACHE (cache root), GANGWAY_PROMETHEUS_DEB_VERSION (the Debian version to fetch).
set -euo pipefail

readonly CACHE_ROOT="${GANGWAY_CACHE:-$HOME/.cache/gangway}"
# Debian bookworm's candidate (`apt-cache policy prometheus`); pinned so every machine runs the same binaries.
readonly VERSION="${GANGWAY_PROMETHEUS_DEB_VERSION:-2.42.0+ds-5+deb12u1}"
readonly DIR="$CACHE_ROOT/prometheus-$VERSION"
readonly BIN="$DIR/root/usr/bin"

log() { printf '[build-prometheus] %s\n' "$*" >&2; }
die() { printf '[build-prometheus] ERROR: %s\n' "$*" >&2; exit 1; }

print_dir=false
find_only=false
while (( $# )); do
  case $1 in
    --print-dir) print_dir=true ;;
    --find-only) find_only=true ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
  shift
done

ready() { [[ -f $DIR/.complete && -x $BIN/prometheus && -x $BIN/promtool ]]; }

if ! ready; then
  $find_only && die "no prometheus/promtool in $DIR: run e2e/prometheus/build-prometheus.sh"
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null \
    || die "apt-get and dpkg-deb are needed (a Debian or Ubuntu machine); or unpack Debian's prometheus $VERSION into $DIR/root yourself"
  mkdir -p "$CACHE_ROOT"
  # One download at a time per cache (the chart tests and the e2e suite may ask together).
  exec 9>"$CACHE_ROOT/.prometheus.lock"
  flock 9
  if ! ready; then
    start=$SECONDS
    log "downloading Debian's prometheus $VERSION with apt-get download into $DIR"
    rm -rf "$DIR" && mkdir -p "$DIR/deb"
    # apt-get download needs no root; it warns when its _apt sandbox user cannot write here, harmlessly.
    (cd "$DIR/deb" && apt-get download "prometheus=$VERSION" >&2) \
      || die "apt-get download prometheus=$VERSION failed (is the version still served? see apt-cache policy prometheus; set GANGWAY_PROMETHEUS_DEB_VERSION)"
    dpkg-deb -x "$DIR"/deb/prometheus_*.deb "$DIR/root" || die "dpkg-deb -x failed on $(ls "$DIR"/deb)"
    "$BIN/prometheus" --version >&2 && "$BIN/promtool" --version >/dev/null || die "the unpacked binaries do not run"
    rm -rf "$DIR/deb"
    touch "$DIR/.complete"
    log "prometheus and promtool ready in $BIN ($(( SECONDS - start ))s)"
  fi
fi
if $print_dir; then echo "$BIN"; fi
