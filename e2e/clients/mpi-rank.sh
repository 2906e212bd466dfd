#!/bin/sh
# What every rank of an MPI job runs (the README's example command): every rank serves sshd; rank 0
# waits until every rank's sshd answers, then runs the launcher given as arguments (mpirun or mpiexec
# with the injected hostfile). The ssh files (keys, ssh_config, sshd_config) are the job's,
# mounted at $SSH_DIR (default /etc/gangway/ssh).
set -eu
ssh_dir=${SSH_DIR:-/etc/gangway/ssh}
# This pod's own address: its hostname resolves to it (kubelet writes it into /etc/hosts).
address=$(getent hosts "$(hostname)" | cut -d' ' -f1)
if [ "$GANGWAY_RANK" = 0 ]; then
  # Rank 0 serves sshd too: MPICH's Hydra starts its proxy on every hostfile line over ssh, its own
  # included, since a name such as J-0.J.N.svc is not the pod's hostname (J-0).
  "${SSHD:-/usr/sbin/sshd}" -D -f "$ssh_dir/sshd_config" -o ListenAddress="$address" &
  for host in $(cut -d' ' -f1 "$GANGWAY_MPI_HOSTFILE"); do
    until ssh -F "$ssh_dir/ssh_config" "$host" true 2>/dev/null; do sleep 1; done
  done
  exec "$@"
fi
exec "${SSHD:-/usr/sbin/sshd}" -De -f "$ssh_dir/sshd_config" -o ListenAddress="$address"
