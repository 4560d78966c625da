#!/usr/bin/env bash
# Crash safety of delivery (issue 15): a private Postline instance that receives and
# delivers — smtpd, cleanup, qmgr, local — into a Maildir (the recipient is aliased to
# a path ending in '/') takes load from concurrent SMTP sessions
# (tests/integration/smtp_load.py, every message tagged) while its qmgr, local,
# cleanup and smtpd processes are killed with SIGKILL at random moments, and once
# master with all its children (then `postfix start` again). Afterwards, with the
# queue drained, every message that got "250 ... queued as ID" must have been
# delivered, with the content that was sent; a message delivered twice is allowed only
# where Postfix would also deliver twice (local killed after the Maildir file was
# written and before the recipient was marked done) — they are counted and reported.
# Usage: tests/integration/delivery_crash.sh BUILD_DIR/bin. PL_PORT picks the port,
# PHASE_SECONDS the length of each phase (8), KEEP_WORK=1 keeps the scratch tree.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/../interop/lib.bash"
PHASE_SECONDS=${PHASE_SECONDS:-8}
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
# shellcheck source=tests/integration/postline_instance.bash
source "$HERE/../integration/postline_instance.bash"
pl_instance_guard delivery_crash
INTEGRATION=$(cd "$HERE/../integration" && pwd)
pl_require_daemons delivery_crash master smtpd cleanup qmgr local

ROOT=$WORK/pl
MAILDIR=$ROOT/Maildir/
pl_root "$ROOT"
pf_main_cf "$ROOT/conf/main.cf" "$ROOT"
cat >>"$ROOT/conf/main.cf" <<MAIN
in_flow_delay = 0
message_size_limit = 1000000
mydestination = example.org
alias_maps = inline:{ sink=$MAILDIR }
# A killed agent's recipients are tried again within seconds, not minutes.
minimal_backoff_time = 1s
maximal_backoff_time = 2s
queue_run_delay = 1s
maximal_queue_lifetime = 1d
bounce_queue_lifetime = 1d
service_throttle_time = 1s
MAIN
PF_PORT=$PL_PORT pf_master_cf "$ROOT/conf/master.cf"
sed -i '/^pickup /d' "$ROOT/conf/master.cf"
pl_start "$ROOT"

# The children of master PID that run PROGRAM (by their command line, read per pid).
children() { # children MASTER_PID [PROGRAM]
  local pid args
  for pid in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
    if [ -z "${2:-}" ] || [[ $args == "$LIBEXEC/$2 "* ]]; then echo "$pid"; fi
  done
}
declare -A killed=([qmgr]=0 [local]=0 [cleanup]=0 [smtpd]=0)
PROGRAMS=(qmgr local local cleanup smtpd)
# kill_randomly SECONDS: every 100-500 ms one process of a random program gets SIGKILL.
kill_randomly() {
  local end=$((SECONDS + $1)) master program victims victim
  master=$(pl_master_pid "$ROOT")
  while ((SECONDS < end)); do
    sleep "0.$((RANDOM % 40 + 10))"
    program=${PROGRAMS[RANDOM % ${#PROGRAMS[@]}]}
    mapfile -t victims < <(children "$master" "$program")
    ((${#victims[@]})) || continue
    victim=${victims[RANDOM % ${#victims[@]}]}
    kill -9 "$victim" 2>/dev/null && killed[$program]=$((killed[$program] + 1))
  done
}

STOP=$WORK/stop-load
LOG=$WORK/load.log
: >"$LOG"
chmod 666 "$LOG"
python3 "$INTEGRATION/smtp_load.py" "$PL_PORT" "$LOG" --sessions 4 --pause 0.05 --stop-file "$STOP" \
  --seconds $((PHASE_SECONDS * 2 + 40)) >"$WORK/load.out" 2>&1 &
LOAD=$!

kill_randomly "$PHASE_SECONDS"

# master and every child at once; then started again over the stale pid file.
master=$(pl_master_pid "$ROOT")
mapfile -t orphans < <(children "$master")
kill -9 "$master" "${orphans[@]}" 2>/dev/null
for pid in "$master" "${orphans[@]}"; do
  for _ in $(seq 1 100); do
    st=$(ps -o stat= -p "$pid" 2>/dev/null) && [[ $st != Z* ]] || break
    sleep 0.05
  done
done
PL_RUNNING=
sleep 0.5
pl_start "$ROOT"

kill_randomly "$PHASE_SECONDS"

touch "$STOP"
for _ in $(seq 1 300); do
  kill -0 "$LOAD" 2>/dev/null || break
  sleep 0.1
done
kill "$LOAD" 2>/dev/null
wait "$LOAD" 2>/dev/null
cat "$WORK/load.out"

# The queue drains (bounded): no complete message left in incoming, active or
# deferred. (A file a killed cleanup left incomplete was never acknowledged: it stays
# until postsuper removes it, as in Postfix.)
as_pl_user "$OURS_BIN/postqueue" -c "$ROOT/conf" -f >/dev/null 2>&1
left() { find "$ROOT/queue/incoming" "$ROOT/queue/active" "$ROOT/queue/deferred" -type f -perm -u+x 2>/dev/null; }
drained=0
for _ in $(seq 1 600); do
  if [ -z "$(left)" ]; then
    drained=1
    break
  fi
  sleep 0.1
done
if [ $drained = 1 ]; then
  ok "the queue drains after the crashes"
else
  left >"$WORK/left.txt"
  tail -n 30 "$ROOT/maillog" >>"$WORK/left.txt"
  bad "the queue drains after the crashes" "$WORK/left.txt"
fi
pl_stop
echo "killed: ${killed[qmgr]} qmgr, ${killed[local]} local, ${killed[cleanup]} cleanup, ${killed[smtpd]} smtpd, 1 master with its children"

acked=$(grep -c '^QUEUED ' "$LOG")
if [ "$acked" -ge 50 ]; then
  ok "the load got $acked messages queued"
else
  echo "only $acked messages were acknowledged; see $LOG" >"$WORK/acked.txt"
  bad "the load got at least 50 messages queued" "$WORK/acked.txt"
fi

# Every acknowledged tag delivered, as sent (below the headers smtpd, cleanup and
# local add); duplicates counted.
if python3 - "$LOG" "$MAILDIR" "$INTEGRATION" >"$WORK/check.txt" 2>&1 <<'PY'; then
import os, sys
sys.path.insert(0, sys.argv[3])
from smtp_load import message_bytes
log, maildir = sys.argv[1], sys.argv[2]
acked = [l.split()[1] for l in open(log) if l.startswith("QUEUED ")]
seen = {}
bad = []
for name in os.listdir(os.path.join(maildir, "new")):
    data = open(os.path.join(maildir, "new", name), "rb").read().replace(b"\r\n", b"\n")
    tag = None
    for line in data.split(b"\n"):
        if line.startswith(b"Subject: load "):
            tag = line[len(b"Subject: load "):].decode()
            break
    if tag is None:
        bad.append("no tag in " + name)
        continue
    seen[tag] = seen.get(tag, 0) + 1
    if message_bytes(tag) not in data:
        bad.append("content differs: " + tag)
missing = [t for t in acked if t not in seen]
dups = sum(1 for t, n in seen.items() if n > 1)
tmp = len(os.listdir(os.path.join(maildir, "tmp")))
print("acknowledged %d, delivered %d distinct, duplicates %d, left in tmp/ %d" % (len(acked), len(seen), dups, tmp))
for m in missing[:20]:
    print("MISSING", m)
for b in bad[:20]:
    print("BAD", b)
sys.exit(1 if missing or bad else 0)
PY
  ok "every acknowledged message was delivered as sent ($(head -n 1 "$WORK/check.txt"))"
else
  bad "every acknowledged message was delivered as sent" "$WORK/check.txt"
fi
finish
