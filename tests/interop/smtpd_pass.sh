#!/usr/bin/env bash
# A "pass" service (master(5): the listener passes client descriptors, as postscreen
# hands clients to smtpd), against the real Postfix 3.7: a private Postfix instance and
# a private Postline instance each run smtpd as `smtpd pass - - n - - smtpd`; a small
# program plays postscreen — it connects to private/smtpd, passes one end of a socket
# pair with the client's endpoints as attributes (client_address 192.0.2.10 ...), and
# speaks SMTP over the other end. The replies, the queued message (through Postfix's
# postcat) and smtpd's connect/client=/disconnect lines must be the same.
# Usage: tests/interop/smtpd_pass.sh BUILD_DIR/bin (as root).
# PF_PORT and PL_PORT pick the ports (10765, 10766); KEEP_WORK=1 keeps the scratch tree.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/lib.bash"
PF_PORT=${PF_PORT:-10765}
PL_PORT=${PL_PORT:-10766}
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
# shellcheck source=tests/integration/postline_instance.bash
source "$HERE/../integration/postline_instance.bash"
pf_instance_guard smtpd_pass
pl_instance_guard smtpd_pass
pl_require_daemons smtpd_pass master smtpd cleanup

shared_main_cf() { # shared_main_cf FILE ROOT
  pf_main_cf "$1" "$2"
  printf 'in_flow_delay = 0\nlocal_recipient_maps =\n' >>"$1"
}
shared_master_cf() { # shared_master_cf FILE PORT
  PF_PORT=$2 pf_master_cf "$1"
  sed -i '/^qmgr /d; /^pickup /d' "$1"
  echo "smtpd     pass  -       -       n       -       -       smtpd" >>"$1"
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

# handoff SOCKET: plays postscreen for one client; prints the replies (queue ids masked).
handoff() {
  python3 - "$1" <<'PY'
import re, socket, sys
ours, theirs = socket.socketpair()
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
socket.send_fds(s, [b"\0"], [theirs.fileno()])
attrs = [("client_address", "192.0.2.10"), ("client_port", "54321"),
         ("server_address", "127.0.0.1"), ("server_port", "25")]
s.sendall(b"".join(n.encode() + b"\0" + v.encode() + b"\0" for n, v in attrs) + b"\0")
s.close()
theirs.close()
ours.settimeout(20)
f = ours.makefile("rb")

def reply():
    out = []
    while True:
        line = f.readline().decode().rstrip("\r\n")
        out.append(re.sub(r"queued as [0-9A-Za-z]+", "queued as QID", line))
        if len(line) < 4 or line[3] != "-":
            return "\n".join(out)

print(reply())
for c in ["EHLO client.example", "MAIL FROM:<passed@example.org>", "RCPT TO:<root@mx.example.org>", "DATA"]:
    ours.sendall(c.encode() + b"\r\n")
    print("> " + c + "\n" + reply())
ours.sendall(b"Subject: passed\r\n\r\nhanded over\r\n.\r\n")
print(reply())
ours.sendall(b"QUIT\r\n")
print(reply())
PY
}

handoff "$PF_ROOT/queue/private/smtpd" >"$WORK/pf.txt" 2>&1
handoff "$PL_ROOT/queue/private/smtpd" >"$WORK/pl.txt" 2>&1
if grep -q "250 2.0.0 Ok: queued as QID" "$WORK/pf.txt" && diff -u "$WORK/pf.txt" "$WORK/pl.txt" >"$WORK/replies.diff"; then
  ok "a client passed to smtpd gets the same replies and its message is queued"
else
  cat "$WORK/pf.txt" >>"$WORK/replies.diff"
  bad "a client passed to smtpd gets the same replies and its message is queued" "$WORK/replies.diff"
fi

# smtpd's lines about the client (pids and queue ids left out).
lines() { grep -o 'postfix/smtpd\[[0-9]*\]: .*' "$1" | sed 's/\[[0-9]*\]//; s/[0-9A-F]\{8,\}: /QID: /' | grep -v warning | grep "192\.0\.2\.10\|QID: client=\|QID: message-id"; }
sleep 0.5
lines "$PF_ROOT/maillog" >"$WORK/pf-log.txt"
lines "$PL_ROOT/maillog" >"$WORK/pl-log.txt"
if grep -q "connect from unknown\[192.0.2.10\]" "$WORK/pl-log.txt" &&
  diff -u "$WORK/pf-log.txt" "$WORK/pl-log.txt" >"$WORK/log.diff"; then
  ok "smtpd logs the passed client's endpoints as Postfix's"
else
  bad "smtpd logs the passed client's endpoints as Postfix's" "$WORK/log.diff"
fi

# The queued files, as Postfix's postcat reads them.
queued() { # queued ROOT: the records that describe the client
  /usr/sbin/postcat -c "$PF_ROOT/conf" "$(find "$1/queue/incoming" -type f | head -n 1)" 2>/dev/null |
    grep -E '^(sender|recipient|Subject|named_attribute: (client_address|client_port|log_client_address|log_client_port))'
}
queued "$PF_ROOT" >"$WORK/pf-queue.txt"
queued "$PL_ROOT" >"$WORK/pl-queue.txt"
if [ -s "$WORK/pf-queue.txt" ] && diff -u "$WORK/pf-queue.txt" "$WORK/pl-queue.txt" >"$WORK/queue.diff"; then
  ok "the queued message records the passed client as Postfix's"
else
  bad "the queued message records the passed client as Postfix's" "$WORK/queue.diff"
fi
finish
