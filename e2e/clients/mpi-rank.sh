#!/bin/sh
# What every rank of an MPI job runs (the README's example command): rank 0 waits until every other
# rank's sshd answers, then runs the launcher given as arguments (mpirun with the injected hostfile);
# the other ranks serve it with sshd. The ssh files (keys, ssh_config, sshd_config) are the job's,
# mounted at $SSH_DIR (default /etc/gangway/ssh).
set -eu
ssh_dir=${SSH_DIR:-/etc/gangway/ssh}
if [ "$GANGWAY_RANK" = 0 ]; then
  for host in $(cut -d' ' -f1 "$GANGWAY_MPI_HOSTFILE" | tail -n +2); do
    until ssh -F "$ssh_dir/ssh_config" "$host" true 2>/dev/null; do sleep 1; done
  done
  exec "$@"
fi
# Listen on this pod's own address (its hostname resolves to it, as kubelet writes /etc/hosts).
exec "${SSHD:-/usr/sbin/sshd}" -De -f "$ssh_dir/sshd_config" -o ListenAddress="$(getent hosts "$(hostname)" | cut -d' ' -f1)"
