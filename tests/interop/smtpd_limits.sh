#!/usr/bin/env bash
# smtpd's client limits through anvil(8), against the real Postfix 3.7: a private
# Postfix instance (run by root) and a private Postline instance (run by an ordinary
# user) with the same main.cf — a connection count limit of 2, a message rate limit of
# 2 and a recipient rate limit of 3 for 127.0.0.1 (no exceptions), no queue manager —
# get the same sessions: three connections held open at once (the third is refused
# with 421), then messages and recipients until the rates are exceeded (450). The
# replies and smtpd's warnings must be the same; neither anvil logs statistics at
# `postfix stop`.
# Usage: tests/interop/smtpd_limits.sh BUILD_DIR/bin (as root).
# PF_PORT and PL_PORT pick the ports (10763, 10764); KEEP_WORK=1 keeps the scratch tree.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/lib.bash"
PF_PORT=${PF_PORT:-10763}
PL_PORT=${PL_PORT:-10764}
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
# shellcheck source=tests/integration/postline_instance.bash
source "$HERE/../integration/postline_instance.bash"
pf_instance_guard smtpd_limits
pl_instance_guard smtpd_limits
pl_require_daemons smtpd_limits master smtpd cleanup anvil

shared_main_cf() { # shared_main_cf FILE ROOT
  pf_main_cf "$1" "$2"
  cat >>"$1" <<'MAIN'
smtpd_client_event_limit_exceptions =
smtpd_client_connection_count_limit = 2
smtpd_client_message_rate_limit = 2
smtpd_client_recipient_rate_limit = 3
anvil_rate_time_unit = 60s
in_flow_delay = 0
local_recipient_maps =
MAIN
}
shared_master_cf() { # shared_master_cf FILE PORT
  PF_PORT=$2 pf_master_cf "$1"
  sed -i '/^qmgr /d; /^pickup /d' "$1"
}

PF_ROOT=$WORK/pf
pf_private "$PF_ROOT"
shared_main_cf "$PF_ROOT/conf/main.cf" "$PF_ROOT"
shared_master_cf "$PF_ROOT/conf/master.cf" "$PF_PORT"
pf_private_start "$PF_ROOT"

PL_ROOT=$WORK/pl
pl_root "$PL_ROOT"
shared_main_cf "$PL_ROOT/conf/main.cf" "$PL_ROOT"
shared_master_cf "$PL_ROOT/conf/master.cf" "$PL_PORT"
pl_start "$PL_ROOT"

# sessions PORT: the dialogues; prints each reply (queue ids masked).
sessions() {
  python3 - "$1" <<'PY'
import re, socket, sys, time
port = int(sys.argv[1])

def connect():
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    return s, s.makefile("rb")

def reply(f):
    out = []
    while True:
        line = f.readline().decode("utf-8", "replace").rstrip("\r\n")
        out.append(line)
        if len(line) < 4 or line[3] != "-":
            return "\n".join(re.sub(r"queued as [0-9A-Za-z]+", "queued as QID", l) for l in out)

def cmd(s, f, text):
    s.sendall(text.encode() + b"\r\n")
    r = reply(f)
    print("> " + text + "\n" + r)
    return r

# Three connections at once: the third is over the count limit.
held = []
for i in range(3):
    s, f = connect()
    print("connection %d: %s" % (i + 1, reply(f)))
    held.append((s, f))
for s, f in held[:2]:
    cmd(s, f, "QUIT")
held[2][0].close()
time.sleep(1)  # the disconnects reach anvil

# Messages and recipients until the rates are exceeded.
s, f = connect()
print("connection 4: " + reply(f))
cmd(s, f, "EHLO client.example")
for n in range(3):
    if cmd(s, f, "MAIL FROM:<sender%d@example.org>" % n).startswith("250"):
        for r in range(2):
            cmd(s, f, "RCPT TO:<rcpt%d-%d@example.org>" % (n, r))
        cmd(s, f, "RSET")
cmd(s, f, "QUIT")
PY
}

sessions "$PF_PORT" >"$WORK/pf.txt" 2>&1
sessions "$PL_PORT" >"$WORK/pl.txt" 2>&1
sed -i "s/127\.0\.0\.1:$PF_PORT/PORT/g" "$WORK/pf.txt"
sed -i "s/127\.0\.0\.1:$PL_PORT/PORT/g" "$WORK/pl.txt"
if diff -u "$WORK/pf.txt" "$WORK/pl.txt" >"$WORK/replies.diff"; then
  ok "the same replies to connections over the count limit and mail over the rate limits"
else
  bad "the same replies to connections over the count limit and mail over the rate limits" "$WORK/replies.diff"
fi
if grep -q "421 4.7.0 mx.example.org Error: too many connections from 127.0.0.1" "$WORK/pl.txt" &&
  grep -q "450 4.7.1 Error: too much mail from 127.0.0.1" "$WORK/pl.txt" &&
  grep -q "450 4.7.1 Error: too many recipients from 127.0.0.1" "$WORK/pl.txt"; then
  ok "each limit was reached (421 for the connection, 450 for the message and recipient rates)"
else
  bad "each limit was reached (421 for the connection, 450 for the message and recipient rates)" "$WORK/pl.txt"
fi

# smtpd's warnings, with the process ids and dates left out.
warnings() { grep -o 'postfix/smtpd\[[0-9]*\]: warning: .*limit exceeded.*' "$1" | sed 's/\[[0-9]*\]//; s/127\.0\.0\.1:[0-9]*$/SERVICE/' | sort; }
warnings "$PF_ROOT/maillog" >"$WORK/pf-warn.txt"
warnings "$PL_ROOT/maillog" >"$WORK/pl-warn.txt"
if [ -s "$WORK/pf-warn.txt" ] && diff -u "$WORK/pf-warn.txt" "$WORK/pl-warn.txt" >"$WORK/warn.diff"; then
  ok "smtpd's limit warnings as Postfix logs them"
else
  bad "smtpd's limit warnings as Postfix logs them" "$WORK/warn.diff"
fi

# At `postfix stop` neither anvil logs statistics (SIGTERM ends it at once).
stop_instance
pl_stop
sleep 0.5
if ! grep -q 'postfix/anvil.*statistics' "$PL_ROOT/maillog" && ! grep -q 'postfix/anvil.*statistics' "$PF_ROOT/maillog"; then
  ok "no anvil statistics at postfix stop, as in Postfix"
else
  grep 'postfix/anvil' "$PF_ROOT/maillog" "$PL_ROOT/maillog" >"$WORK/stats.out"
  bad "no anvil statistics at postfix stop, as in Postfix" "$WORK/stats.out"
fi
finish
