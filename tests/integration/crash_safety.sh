#!/usr/bin/env bash
# Crash safety of the receiving MTA (smtpd, cleanup, master): a private Postline
# instance with no queue manager (what is accepted stays in incoming/) takes load from
# concurrent SMTP sessions (tests/integration/smtp_load.py, every message tagged) while
# its smtpd and cleanup processes are killed with SIGKILL at random moments, and in one
# phase master itself (and then its children) is killed and the instance started again
# with `postfix start` over the stale pid file and lock; at the end it is stopped with
# `postfix stop` under load and started once more. Afterwards every message that
# got "250 2.0.0 Ok: queued as ID" must be in a complete queue file (mode 0700) with
# the content that was sent, and every complete file must read to its end record with
# Postfix's postcat and ours (tests/integration/queue_check.py). Incomplete files are
# allowed (never acknowledged): they must not look complete, and Postfix's postsuper -p
# must remove them, and only them, once they are old (checked on a copy of the spool).
# Usage: tests/integration/crash_safety.sh BUILD_DIR/bin. PL_PORT picks the port,
# PHASE_SECONDS the length of each of the three phases (8), KEEP_WORK=1 keeps the tree.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/../interop/lib.bash"
PHASE_SECONDS=${PHASE_SECONDS:-8}
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
# shellcheck source=tests/integration/postline_instance.bash
source "$HERE/../integration/postline_instance.bash"
pl_instance_guard crash_safety
INTEGRATION=$(cd "$HERE/../integration" && pwd)
pl_require_daemons crash_safety master smtpd cleanup

ROOT=$WORK/pl
pl_root "$ROOT"
pf_main_cf "$ROOT/conf/main.cf" "$ROOT"
cat >>"$ROOT/conf/main.cf" <<MAIN
# No queue manager hands out in-flow tokens.
in_flow_delay = 0
message_size_limit = 1000000
# A process killed before it took its first client throttles its service (Postfix's
# master does the same); not for a minute here, or the load would only meet 451s.
service_throttle_time = 1s
MAIN
PF_PORT=$PL_PORT pf_master_cf "$ROOT/conf/master.cf"
sed -i '/^qmgr /d; /^pickup /d' "$ROOT/conf/master.cf"
pl_start "$ROOT"

# The children of master PID that run PROGRAM (by their command line, read per pid).
children() { # children MASTER_PID [PROGRAM]
  local pid args
  for pid in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
    if [ -z "${2:-}" ] || [[ $args == "$LIBEXEC/$2 "* ]]; then echo "$pid"; fi
  done
}
# writing PID...: those of the PIDs that have a file of incoming/ open (a cleanup
# process in the middle of a message).
writing() {
  local pid
  for pid in "$@"; do
    if find "/proc/$pid/fd" -mindepth 1 -lname "$ROOT/queue/incoming/*" 2>/dev/null | grep -q .; then echo "$pid"; fi
  done
}
killed_smtpd=0 killed_cleanup=0
# kill_randomly SECONDS: every 50-400 ms a random smtpd or cleanup process of the
# running master gets SIGKILL; a cleanup process that is writing a message, when there
# is one, most of the time.
kill_randomly() {
  local end=$((SECONDS + $1)) master program victims victim
  master=$(pl_master_pid "$ROOT")
  while ((SECONDS < end)); do
    sleep "0.$((RANDOM % 35 + 5))"
    if ((RANDOM % 2)); then program=smtpd; else program=cleanup; fi
    mapfile -t victims < <(children "$master" "$program")
    if [ "$program" = cleanup ] && ((RANDOM % 4)); then
      mapfile -t busy < <(writing "${victims[@]}")
      ((${#busy[@]})) && victims=("${busy[@]}")
    fi
    ((${#victims[@]})) || continue
    victim=${victims[RANDOM % ${#victims[@]}]}
    if kill -9 "$victim" 2>/dev/null; then
      if [ "$program" = smtpd ]; then killed_smtpd=$((killed_smtpd + 1)); else killed_cleanup=$((killed_cleanup + 1)); fi
    fi
  done
}

STOP=$WORK/stop-load
LOG=$WORK/load.log
: >"$LOG"
chmod 666 "$LOG"
python3 "$INTEGRATION/smtp_load.py" "$PL_PORT" "$LOG" --sessions 5 --trickle 2 --pause 0.15 --stop-file "$STOP" \
  --seconds $((PHASE_SECONDS * 3 + 40)) >"$WORK/load.out" 2>&1 &
LOAD=$!

# Phase 1: smtpd and cleanup processes killed at random.
kill_randomly "$PHASE_SECONDS"

# Phase 2: master killed in the middle of the load, then its children (found by their
# parent before it dies); started again over the stale pid file and lock.
sleep "0.$((RANDOM % 9 + 1))"
master=$(pl_master_pid "$ROOT")
mapfile -t orphans < <(children "$master")
kill -9 "$master"
for pid in "${orphans[@]}"; do kill -9 "$pid" 2>/dev/null; done
# alive PID: the process exists and is not a zombie (an orphan's zombie may wait for a
# reaper that does not come, in a container).
alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $st != Z* ]]; }
for pid in "$master" "${orphans[@]}"; do
  for _ in $(seq 1 100); do
    alive "$pid" || break
    sleep 0.05
  done
done
if [ -s "$ROOT/queue/pid/master.pid" ]; then
  ok "a killed master leaves its pid file (stale: $(pl_master_pid "$ROOT"))"
else
  echo "the killed master's pid file is gone" >"$WORK/pid.txt"
  bad "a killed master leaves its pid file" "$WORK/pid.txt"
fi
sleep 1 # the load meets a closed port meanwhile
if as_pl_user "$OURS_BIN/postfix" -c "$ROOT/conf" status >"$WORK/status.txt" 2>&1; then
  bad "status after master was killed: not running" "$WORK/status.txt"
else
  ok "status after master was killed: not running"
fi
# This start is given one more descriptor, the write end of a pipe (as a caller that
# reads the output of `postfix start` to its end may pass): master must close what it
# inherits (as Postfix's does), or the reader waits until the mail system stops.
chown -R "$PL_USER" "$ROOT"
(as_pl_user "$OURS_BIN/postfix" -c "$ROOT/conf" start 3>&1 >"$WORK/pl-start.log" 2>&1 && echo started) |
  timeout 10 cat >"$WORK/start-pipe.txt"
if [ "${PIPESTATUS[1]}" = 0 ]; then
  ok "postfix start: master keeps no descriptor it inherited"
else
  ls -l "/proc/$(pl_master_pid "$ROOT")/fd" >"$WORK/fds.txt" 2>&1
  bad "postfix start: master keeps no descriptor it inherited (a pipe stayed open)" "$WORK/fds.txt"
fi
if grep -q started "$WORK/start-pipe.txt"; then
  PL_RUNNING=$ROOT
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PL_PORT") 2>/dev/null; then break; fi
    sleep 0.1
  done
else
  cat "$WORK/pl-start.log"
fi
new_master=$(pl_master_pid "$ROOT")
if [ -n "$new_master" ] && [ "$new_master" != "$master" ] && kill -0 "$new_master"; then
  ok "postfix start over a killed master's pid file and lock"
else
  echo "master pid $master before, $new_master after" >"$WORK/restart.txt"
  bad "postfix start over a killed master's pid file and lock" "$WORK/restart.txt"
fi
sleep 1

# Phase 3: random kills again, under the new master.
kill_randomly "$PHASE_SECONDS"

# Then `postfix stop` in the middle of the load (master's SIGTERM to every process),
# and a start again, with some more load.
pl_stop
sleep 0.5
pl_start "$ROOT"
sleep 2

# The load stops; the sessions in progress end; the instance stops.
touch "$STOP"
for _ in $(seq 1 300); do
  kill -0 "$LOAD" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$LOAD" 2>/dev/null; then
  echo "the load client did not stop within 30 s" >"$WORK/load.txt"
  bad "the load client stops" "$WORK/load.txt"
  kill "$LOAD"
fi
wait "$LOAD" 2>/dev/null
cat "$WORK/load.out"
pl_stop
echo "killed: $killed_smtpd smtpd, $killed_cleanup cleanup processes, 1 master"

# A file size limit inherited from whoever started the mail system (ulimit -f 100, with
# the mail log moved aside): a message whose queue file would outgrow it is refused
# with 552 5.3.4, as by Postfix (its daemons ignore SIGXFSZ: the write fails with
# EFBIG), and its file is removed; a smaller one is still queued. Then the mail log
# itself outgrows the limit: master and the daemons, which append to it themselves,
# lose their log lines but live on (a reload, another message).
# send_sizes SIZE...: one message of about SIZE bytes per session; prints "SIZE: REPLY".
send_sizes() {
  python3 - "$PL_PORT" "$@" <<'PY'
import socket, sys
for size in map(int, sys.argv[2:]):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
    f = s.makefile("rb")
    f.readline()
    s.sendall(b"EHLO client.example\r\nMAIL FROM:<big@example.org>\r\nRCPT TO:<sink@example.org>\r\nDATA\r\n")
    while not f.readline().startswith(b"354"):
        pass
    s.sendall(b"Subject: size %d\r\n\r\n" % size + (b"y" * 98 + b"\r\n") * (size // 100) + b".\r\n")
    print("%d: %s" % (size, f.readline().decode().rstrip()))
    s.sendall(b"QUIT\r\n")
PY
}
files_before=$(find "$ROOT/queue/incoming" -type f | wc -l)
mv "$ROOT/maillog" "$WORK/maillog.load"
if (ulimit -f 100 && pl_start "$ROOT"); then
  PL_RUNNING=$ROOT
  send_sizes 150000 1000 >"$WORK/fsize.txt" 2>&1
  if grep -q "^150000: 552 5\.3\.4 Error: message file too big$" "$WORK/fsize.txt" &&
    grep -q "^1000: 250 2\.0\.0 Ok: queued as " "$WORK/fsize.txt" &&
    [ "$(find "$ROOT/queue/incoming" -type f | wc -l)" = $((files_before + 1)) ] &&
    grep -q "warning: [0-9A-F]*: queue file size limit exceeded" "$ROOT/maillog" &&
    ! grep -q "killed by signal" "$ROOT/maillog"; then
    ok "a queue file over the file size limit: 552 5.3.4, no file left, cleanup not killed"
  else
    {
      cat "$WORK/fsize.txt"
      echo "incoming: $files_before files before, $(find "$ROOT/queue/incoming" -type f | wc -l) after"
      tail -n 5 "$ROOT/maillog"
    } >"$WORK/fsize.diff"
    bad "a queue file over the file size limit: 552 5.3.4, no file left, cleanup not killed" "$WORK/fsize.diff"
  fi
  master=$(pl_master_pid "$ROOT")
  { head -c 120000 /dev/zero | tr '\0' '.' | fold -w 99; echo; } >>"$ROOT/maillog"
  as_pl_user "$OURS_BIN/postfix" -c "$ROOT/conf" reload >"$WORK/reload.txt" 2>&1
  sleep 0.5
  send_sizes 1000 >"$WORK/fsize2.txt" 2>&1
  if kill -0 "$master" && grep -q "^1000: 250 2\.0\.0 Ok: queued as " "$WORK/fsize2.txt"; then
    ok "a mail log over the file size limit: master survives a reload, a message is queued"
  else
    cat "$WORK/reload.txt" "$WORK/fsize2.txt" >"$WORK/fsize2.diff"
    kill -0 "$master" 2>/dev/null || echo "master $master is gone" >>"$WORK/fsize2.diff"
    bad "a mail log over the file size limit: master survives a reload, a message is queued" "$WORK/fsize2.diff"
  fi
  pl_stop
else
  bad "postfix start under ulimit -f 100" "$WORK/pl-start.log"
fi

acked=$(grep -c '^QUEUED ' "$LOG")
if [ "$acked" -ge 50 ]; then
  ok "the load got $acked messages queued"
else
  echo "only $acked messages were acknowledged; see $LOG" >"$WORK/acked.txt"
  bad "the load got at least 50 messages queued" "$WORK/acked.txt"
fi

# The queue against the log.
if python3 "$INTEGRATION/queue_check.py" "$ROOT/conf" "$ROOT/queue" "$OURS_BIN/postcat" "$LOG" \
  --incomplete-list "$WORK/incomplete.txt" >"$WORK/check.txt" 2>&1; then
  ok "every acknowledged message is queued, complete, as sent; every complete file reads to its end"
else
  bad "every acknowledged message is queued, complete, as sent; every complete file reads to its end" "$WORK/check.txt"
fi
summary=$(grep '^queue: ' "$WORK/check.txt")
# Our postqueue (as root it reads the queue directly when no showq runs) lists exactly
# the complete files.
if [ "$(id -u)" = 0 ]; then
  "$OURS_BIN/postqueue" -c "$ROOT/conf" -j 2>"$WORK/postqueue.err" |
    sed -n 's/.*"queue_id": "\([0-9A-Za-z]*\)".*/\1/p' | sort >"$WORK/listed.txt"
  find "$ROOT/queue" -type f -perm -u+x -path "*/incoming/*" -printf '%f\n' | sort >"$WORK/complete.txt"
  if [ -s "$WORK/complete.txt" ] && cmp -s "$WORK/listed.txt" "$WORK/complete.txt"; then
    ok "our postqueue -j lists the $(wc -l <"$WORK/complete.txt") complete files and no incomplete one"
  else
    diff "$WORK/complete.txt" "$WORK/listed.txt" >"$WORK/listed.diff"
    cat "$WORK/postqueue.err" >>"$WORK/listed.diff"
    bad "our postqueue -j lists the complete files and no incomplete one" "$WORK/listed.diff"
  fi
fi

# What becomes of the incomplete files: Postfix's queue manager never opens a file whose
# owner bits are not rwx (mail_open_ok()), and postsuper -p (part of every postfix
# start) removes such a file from a message queue once it is more than a week old.
# purge_check NAME SLUG COPY_ROOT RUN...: with the incomplete files of a copy of the
# spool made old, RUN (a postsuper -p) removes them all and nothing else.
purge_check() {
  local name=$1 slug=$2 copy=$3 path before after left n=0
  shift 3
  while IFS= read -r path; do
    touch -d '8 days ago' "$copy/queue/${path#"$ROOT"/queue/}"
    n=$((n + 1))
  done <"$WORK/incomplete.txt"
  before=$(find "$copy/queue/incoming" -type f -perm -u+x | sort)
  "$@" >"$WORK/$slug.txt" 2>&1
  after=$(find "$copy/queue/incoming" -type f -perm -u+x | sort)
  left=$(find "$copy/queue/incoming" -type f ! -perm -u+x | wc -l)
  if [ "$before" = "$after" ] && [ "$left" = 0 ] && [ -n "$before" ]; then
    ok "$name -p removes the $n old incomplete files and keeps every complete one"
  else
    {
      echo "incomplete files left: $left"
      diff <(echo "$before") <(echo "$after")
      cat "$WORK/$slug.txt"
    } >"$WORK/$slug.diff"
    bad "$name -p removes old incomplete files only" "$WORK/$slug.diff"
  fi
}
if [ "$(id -u)" = 0 ] && id postfix >/dev/null 2>&1; then
  # Postfix's and ours (both run by root, as Postfix's mail_owner), each on a copy of
  # the spool owned by that user.
  for side in pf ours; do
    COPY=$WORK/copy-$side
    mkdir -p "$COPY/conf" "$COPY/data"
    cp -a "$ROOT/queue" "$COPY/queue"
    pf_main_cf "$COPY/conf/main.cf" "$COPY"
    sed -i '/^maillog_file/d' "$COPY/conf/main.cf"
    cp "$ROOT/conf/master.cf" "$COPY/conf/master.cf"
    touch -d '1 hour ago' "$COPY/conf/main.cf"
    chown -R postfix:postfix "$COPY/queue" "$COPY/data"
    chmod -R a+rX "$COPY/conf"
  done
  purge_check "Postfix's postsuper" pf-postsuper "$WORK/copy-pf" /usr/sbin/postsuper -c "$WORK/copy-pf/conf" -p
  purge_check "our postsuper" ours-postsuper "$WORK/copy-ours" "$OURS_BIN/postsuper" -c "$WORK/copy-ours/conf" -p
fi

echo "crash_safety: $summary; killed $killed_smtpd smtpd, $killed_cleanup cleanup, 1 master"
finish
