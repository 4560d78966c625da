#!/usr/bin/env bash
# Hot reload under load, delivery side (issue 15): a private Postline instance that
# receives and delivers takes SMTP load for a local alias (sink, a Maildir) and for a
# domain that transport_maps sends to a discard service; then a new generation is
# switched in by `postline compile` alone — the alias now points to another Maildir and
# the domain goes to another discard service (another syslog_name) — and more load
# follows, while Postfix's smtp-source also sends through the switch. No session may be
# refused or broken, no acknowledged message lost (each delivered exactly once), and
# mail submitted after the switch must follow the new tables: the alias's new Maildir,
# the new transport.
# Usage: tests/integration/delivery_reload.sh BUILD_DIR/bin. PL_PORT picks the port;
# KEEP_WORK=1 keeps the scratch tree.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/../interop/lib.bash"
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
# shellcheck source=tests/integration/postline_instance.bash
source "$HERE/../integration/postline_instance.bash"
pl_instance_guard delivery_reload
INTEGRATION=$(cd "$HERE/../integration" && pwd)
pl_require_daemons delivery_reload master smtpd cleanup qmgr local discard error bounce

ROOT=$WORK/pl
CONF=$ROOT/conf
pl_root "$ROOT"
pf_main_cf "$CONF/main.cf" "$ROOT"
cat >>"$CONF/main.cf" <<MAIN
in_flow_delay = 0
mydestination = example.org
alias_maps = hash:$CONF/aliases
alias_database = hash:$CONF/aliases
transport_maps = hash:$CONF/transport
minimal_backoff_time = 1s
maximal_backoff_time = 2s
queue_run_delay = 1s
MAIN
PF_PORT=$PL_PORT pf_master_cf "$CONF/master.cf"
sed -i '/^pickup /d' "$CONF/master.cf"
echo "discard2  unix  -       -       n       -       -       discard -o syslog_name=postfix/discard2" >>"$CONF/master.cf"
# The generation of round N: the alias's Maildir and the test domain's transport.
tables() { # tables N TRANSPORT
  printf 'sink: %s/Maildir-%s/\nload: %s/reports/\n' "$ROOT" "$1" "$ROOT" >"$CONF/aliases"
  printf 'moved.example %s\n' "$2" >"$CONF/transport"
  chown "$PL_USER" "$CONF/aliases" "$CONF/transport"
}
tables 1 "discard:"
pl_start "$ROOT"

# load PREFIX RCPT SECONDS: one load client in the background (its pid in LOADS).
LOADS=()
STOP=$WORK/stop-load
load() {
  : >"$WORK/load-$1.log"
  chmod 666 "$WORK/load-$1.log"
  python3 "$INTEGRATION/smtp_load.py" "$PL_PORT" "$WORK/load-$1.log" --sessions 2 --pause 0.05 --prefix "$1" \
    --rcpt "$2" --stop-file "$STOP" --seconds "$3" >"$WORK/load-$1.out" 2>&1 &
  LOADS+=($!)
}
load a sink@example.org 60
load m x@moved.example 60
# And Postfix's smtp-source, the load generator administrators know: 5 sessions, a
# message a second each, every recipient numbered (-N), sending through the switch.
SOURCE_MESSAGES=50
/usr/sbin/smtp-source -s 5 -w 1 -m "$SOURCE_MESSAGES" -N -f src@example.org -t src@moved.example \
  "127.0.0.1:$PL_PORT" >"$WORK/source.out" 2>&1 &
SOURCE_PID=$!
sleep 3

compile=("$OURS_BIN/postline" compile -c "$CONF")
if [ "$(id -u)" = 0 ]; then compile=(setpriv --reuid="$PL_USER" --regid=nogroup --clear-groups -- "${compile[@]}"); fi
tables 2 "discard2:"
if "${compile[@]}" >"$WORK/compile.log" 2>&1; then
  ok "a new generation is compiled and switched in under load"
else
  bad "a new generation is compiled and switched in under load" "$WORK/compile.log"
fi
# After the switch: new clients whose mail must follow the new tables.
load b sink@example.org 60
load n x@moved.example 60
sleep 3
touch "$STOP"
for pid in "${LOADS[@]}"; do
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
done
for _ in $(seq 1 600); do
  kill -0 "$SOURCE_PID" 2>/dev/null || break
  sleep 0.1
done
kill "$SOURCE_PID" 2>/dev/null
if wait "$SOURCE_PID" && ! grep -qE 'error|fatal|warning' "$WORK/source.out"; then
  ok "smtp-source sent its $SOURCE_MESSAGES messages through the switch without an error"
else
  bad "smtp-source sent its $SOURCE_MESSAGES messages through the switch without an error" "$WORK/source.out"
fi
cat "$WORK"/load-*.out
if ! grep -v "^load: [0-9]* queued, 0 refused replies, 0 broken sessions, 0 refused connections" "$WORK"/load-*.out |
  grep -q .; then
  ok "no refused reply, broken session or refused connection in any load client"
else
  bad "no refused reply, broken session or refused connection in any load client" "$WORK/load-a.out"
fi

# The queue drains.
drained=0
for _ in $(seq 1 600); do
  if [ -z "$(find "$ROOT/queue/incoming" "$ROOT/queue/active" "$ROOT/queue/deferred" -type f -perm -u+x)" ]; then
    drained=1
    break
  fi
  sleep 0.1
done
sleep 0.5
if [ $drained = 1 ]; then ok "the queue drains"; else bad "the queue drains" "$ROOT/maillog"; fi
pl_stop

if SOURCE_MESSAGES=$SOURCE_MESSAGES python3 - "$WORK" "$ROOT" "$INTEGRATION" >"$WORK/check.txt" 2>&1 <<'PY'; then
import os, re, sys
sys.path.insert(0, sys.argv[3])
from smtp_load import message_bytes
work, root = sys.argv[1], sys.argv[2]
def queued(prefix):
    out = {}
    for line in open(os.path.join(work, "load-%s.log" % prefix)):
        if line.startswith("QUEUED "):
            _, tag, qid = line.split()
            out[tag] = qid
    return out
def maildir(n):
    found = {}
    d = os.path.join(root, "Maildir-%d" % n, "new")
    for name in os.listdir(d) if os.path.isdir(d) else []:
        data = open(os.path.join(d, name), "rb").read()
        m = re.search(rb"^Subject: load (\S+)", data, re.M)
        if m:
            tag = m.group(1).decode()
            found.setdefault(tag, []).append(data)
    return found
bad = []
m1, m2 = maildir(1), maildir(2)
a, b = queued("a"), queued("b")
for tag in list(a) + list(b):
    n = len(m1.get(tag, [])) + len(m2.get(tag, []))
    if n != 1:
        bad.append("%s delivered %d times" % (tag, n))
for tag in b:
    if tag not in m2:
        bad.append("%s (sent after the switch) is not in the new Maildir" % tag)
for tag, copies in list(m1.items()) + list(m2.items()):
    if message_bytes(tag) not in copies[0]:
        bad.append("%s: content differs" % tag)
# The test domain: every queued message has one final log line; after the switch, the
# new transport's.
log = open(os.path.join(root, "maillog"), errors="replace").read()
final = {}
# (A service with its own syslog_name logs as postfix/discard2/discard, as in Postfix.)
for m in re.finditer(r"postfix/([\w/]+)\[\d+\]: ([0-9A-F]+): to=<x@moved\.example>, .*status=(\w+)", log):
    final.setdefault(m.group(2), []).append((m.group(1), m.group(3)))
m, n = queued("m"), queued("n")
for tag, qid in list(m.items()) + list(n.items()):
    outcomes = [o for o in final.get(qid, []) if o[1] == "sent"]
    if len(outcomes) != 1:
        bad.append("%s (%s): %d final outcomes %s" % (tag, qid, len(outcomes), final.get(qid)))
for tag, qid in n.items():
    if ("discard2/discard", "sent") not in final.get(qid, []):
        bad.append("%s (%s, sent after the switch) did not go to the new transport: %s" % (tag, qid, final.get(qid)))
# smtp-source's numbered recipients: each delivered once.
numbered = {}
for hit in re.finditer(r"to=<(\d+)src@moved\.example>, .*status=sent", log):
    numbered[hit.group(1)] = numbered.get(hit.group(1), 0) + 1
count = int(os.environ.get("SOURCE_MESSAGES", "0"))
if len(numbered) != count or any(n != 1 for n in numbered.values()):
    bad.append("smtp-source: %d of %d numbered recipients delivered, %s more than once"
               % (len(numbered), count, [k for k, n in numbered.items() if n != 1][:5]))
print("sink: %d before/around the switch, %d after (%d in the old Maildir, %d in the new); "
      "moved.example: %d before, %d after" % (len(a), len(b), len(m1), len(m2), len(m), len(n)))
for line in bad[:20]:
    print("BAD", line)
sys.exit(1 if bad or not b or not n else 0)
PY
  ok "no message lost or delivered twice; mail after the switch followed the new tables ($(head -n 1 "$WORK/check.txt"))"
else
  bad "no message lost or delivered twice; mail after the switch followed the new tables" "$WORK/check.txt"
fi
finish
