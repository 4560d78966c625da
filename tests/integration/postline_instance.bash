# A private Postline instance for the integration tests: configuration, queue, data
# directory, mail spool and log under one scratch directory, started with our
# `postfix` command by an ordinary user (nobody when the test runs as root: the MTA
# needs no privilege for a spool of its own), listening on loopback only; stopped by
# the pid in its pid file, never by name. Sourced after tests/interop/lib.bash.
# shellcheck shell=bash

# The smtpd port: PL_PORT when the test sets it, else one the kernel has free now.
if [ -z "${PL_PORT:-}" ]; then
  PL_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
# The user the instance runs as, and how to run a command as that user.
if [ "$(id -u)" = 0 ]; then
  PL_USER=nobody
  as_pl_user() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
else
  PL_USER=$(id -un)
  as_pl_user() { "$@"; }
fi

# PL_RUNNING: the root of the instance that is running, if any.
PL_RUNNING=

# pl_root ROOT: the instance's directories, owned by the user it runs as. The scratch
# directories above it must be searchable by that user.
pl_root() {
  local root=$1
  mkdir -p "$root/conf" "$root/queue" "$root/data" "$root/spool"
  chmod o+x "$WORK"
  chown -R "$PL_USER" "$root"
}

# pl_start ROOT: `postfix -c ROOT/conf start` as the instance's user; waits until the
# smtpd port (PL_PORT) accepts connections.
pl_start() {
  local root=$1
  chown -R "$PL_USER" "$root"
  touch -d '1 hour ago' "$root/conf/main.cf"
  if ! as_pl_user "$OURS_BIN/postfix" -c "$root/conf" start >"$WORK/pl-start.log" 2>&1; then
    echo "postfix start failed:" >&2
    cat "$WORK/pl-start.log" >&2
    [ -f "$root/maillog" ] && tail -n 20 "$root/maillog" >&2
    exit 1
  fi
  PL_RUNNING=$root
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PL_PORT") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "postline: nothing listens on 127.0.0.1:$PL_PORT after 10 s" >&2
  [ -f "$root/maillog" ] && tail -n 20 "$root/maillog" >&2
  exit 1
}

# pl_master_pid ROOT: the master's pid from its pid file.
pl_master_pid() { tr -d ' \n' <"$1/queue/pid/master.pid" 2>/dev/null; }

# pl_stop: `postfix stop`, then waits (10 s at most) for the master to exit; a master
# that does not is killed by its pid.
pl_stop() {
  [ -n "$PL_RUNNING" ] || return 0
  local root=$PL_RUNNING pid tries=0
  pid=$(pl_master_pid "$root")
  as_pl_user "$OURS_BIN/postfix" -c "$root/conf" stop >/dev/null 2>&1 || true
  PL_RUNNING=
  while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && ((tries++ < 100)); do
    sleep 0.1
  done
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    echo "postline master $pid did not stop; killing it" >&2
    kill -9 "$pid" 2>/dev/null || true
  fi
}

# pl_instance_guard NAME: PL_PORT must be free, and on exit the instance is stopped
# (after pf_instance_guard: this trap also does what that one did).
pl_instance_guard() {
  local name=$1
  if (exec 3<>"/dev/tcp/127.0.0.1/$PL_PORT") 2>/dev/null; then
    echo "$name: 127.0.0.1:$PL_PORT is in use; set PL_PORT to a free port" >&2
    exit 1
  fi
  trap 'pl_stop; if declare -F stop_instance >/dev/null; then stop_instance; fi
        if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi' EXIT
}

# pl_require_daemons NAME PROGRAM...: sets LIBEXEC (the daemons beside OURS_BIN) and ends
# the test when one of the programs is not built.
pl_require_daemons() {
  local name=$1 program
  shift
  LIBEXEC=$(cd "$OURS_BIN/../libexec" && pwd)
  for program in "$@"; do
    if [ ! -x "$LIBEXEC/$program" ]; then
      echo "$name: $LIBEXEC/$program is not built" >&2
      exit 1
    fi
  done
}
