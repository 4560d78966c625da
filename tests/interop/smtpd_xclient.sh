#!/usr/bin/env bash
# XCLIENT, XFORWARD and ETRN over real sockets, against the real Postfix 3.7: a private
# Postfix instance (run by root) and a private Postline instance (run by an ordinary
# user) get the same main.cf (these commands authorized for 127.0.0.1, a fast flush
# domain, smtpd_etrn_restrictions) and master.cf without a queue manager, on two
# loopback ports. The same dialogues, one command at a time, must get the same replies;
# the mail the new (XCLIENT) and forwarded (XFORWARD) clients send must read, through
# Postfix's postcat, as the file Postfix wrote; smtpd's log lines must be the same; and
# ETRN for the fast flush domain is answered by each side's own flush daemon; a client
# that pipelines after XCLIENT is logged as Postfix logs it.
# Usage: tests/interop/smtpd_xclient.sh BUILD_DIR/bin (as root).
# PF_PORT and PL_PORT pick the ports (10761, 10762); KEEP_WORK=1 keeps the scratch tree.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/lib.bash"
PF_PORT=${PF_PORT:-10761}
PL_PORT=${PL_PORT:-10762}
if [ "$(id -u)" != 0 ]; then
  echo "SKIP smtpd_xclient: must run as root (it starts a private Postfix instance)"
  exit 0
fi
if [ ! -x /usr/sbin/postfix ]; then
  echo "SKIP smtpd_xclient: Postfix is not installed"
  exit 0
fi
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
# shellcheck source=tests/integration/postline_instance.bash
source "$HERE/../integration/postline_instance.bash"
pf_instance_guard smtpd_xclient
pl_instance_guard smtpd_xclient
pl_require_daemons smtpd_xclient master smtpd cleanup flush

shared_main_cf() { # shared_main_cf FILE ROOT
  pf_main_cf "$1" "$2"
  cat >>"$1" <<'MAIN'
smtpd_authorized_xclient_hosts = 127.0.0.1
smtpd_authorized_xforward_hosts = 127.0.0.1
fast_flush_domains = flush.example
smtpd_etrn_restrictions = check_etrn_access inline:{{no.example=REJECT no flush for you}}, permit
in_flow_delay = 0
local_recipient_maps =
MAIN
}
shared_master_cf() { # shared_master_cf FILE PORT
  PF_PORT=$2 pf_master_cf "$1"
  sed -i '/^qmgr /d; /^pickup /d' "$1"
}

PF_ROOT=$WORK/pf
mkdir -p "$PF_ROOT/conf" "$PF_ROOT/queue" "$PF_ROOT/data" "$PF_ROOT/spool"
chown postfix "$PF_ROOT/data"
shared_main_cf "$PF_ROOT/conf/main.cf" "$PF_ROOT"
shared_master_cf "$PF_ROOT/conf/master.cf" "$PF_PORT"
touch -d '1 hour ago' "$PF_ROOT/conf/main.cf"
chmod -R a+rX "$PF_ROOT"
if ! /usr/sbin/postfix -c "$PF_ROOT/conf" start >"$WORK/pf-start.log" 2>&1; then
  cat "$WORK/pf-start.log" >&2
  exit 1
fi
RUNNING=$PF_ROOT/conf

PL_ROOT=$WORK/pl
pl_root "$PL_ROOT"
shared_main_cf "$PL_ROOT/conf/main.cf" "$PL_ROOT"
shared_master_cf "$PL_ROOT/conf/master.cf" "$PL_PORT"
pl_start "$PL_ROOT"

# dialogue PORT: three sessions, each command sent after the reply to the one before;
# prints what was sent and what came back (queue ids masked).
dialogue() {
  python3 - "$1" <<'PY'
import re, socket, sys

def session(lines):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
    f = s.makefile("rb")

    def reply():
        out = []
        while True:
            line = f.readline().decode()
            if not line:
                out.append("(connection closed)")
                break
            out.append(line.rstrip("\r\n"))
            if len(line) < 4 or line[3] != "-":
                break
        return out

    for r in reply():
        print("S: " + r)
    for line in lines:
        # A list: commands sent together (pipelined), then their replies.
        group = line if isinstance(line, list) else [line]
        for command in group:
            print("C: " + command.split("\r\n")[0])
        s.sendall(b"".join(c.encode() + b"\r\n" for c in group))
        for _ in group:
            for r in reply():
                print("S: " + re.sub(r"queued as [0-9A-Za-z]+", "queued as QUEUEID", r))
    s.close()

message = ("Subject: {0}\r\nMessage-Id: <{0}@example.net>\r\nDate: Mon, 7 Dec 2026 00:00:00 +0000\r\n"
           "From: sender@example.net\r\n\r\nbody\r\n.")
session(["EHLO proxy.example", "XCLIENT NAME", "XCLIENT ADDR=1.2.3",
         "XCLIENT NAME=client.example ADDR=192.0.2.7 PORT=4711 HELO=c.example PROTO=ESMTP",
         "MAIL FROM:<sender@example.net>", "RCPT TO:<someone@elsewhere.example>",
         "RCPT TO:<xclient@mx.example.org>", "DATA", message.format("xclient"), "XCLIENT NAME=x.example", "QUIT"])
session(["EHLO filter.example", "XFORWARD NAME=bad..name",
         "XFORWARD NAME=up.example ADDR=192.0.2.5 PORT=2525 PROTO=ESMTP HELO=up IDENT=ABC123 SOURCE=REMOTE",
         "MAIL FROM:<sender@example.net>", "RCPT TO:<xforward@mx.example.org>", "DATA", message.format("xforward"),
         "QUIT"])
session(["EHLO client.example", "ETRN flush.example", "ETRN no.example", "ETRN other.example", "QUIT"])
# A client that does not wait for the greeting XCLIENT brings: improper pipelining.
session(["EHLO proxy.example", ["XCLIENT NAME=late.example ADDR=192.0.2.8", "HELO late.example"], "QUIT"])
PY
}
# The logs from here on (pl_start's probe of the port made a session of its own).
sleep 0.5
pf_from=$(wc -l <"$PF_ROOT/maillog" 2>/dev/null || echo 0)
pl_from=$(wc -l <"$PL_ROOT/maillog" 2>/dev/null || echo 0)
dialogue "$PF_PORT" >"$WORK/pf.transcript" 2>&1
dialogue "$PL_PORT" >"$WORK/pl.transcript" 2>&1
same_files "XCLIENT, XFORWARD and ETRN: the same replies" "$WORK/pf.transcript" "$WORK/pl.transcript"

# The queue files, paired by their recipient, as Postfix's postcat shows them.
settle() {
  for _ in $(seq 1 50); do
    [ -z "$(find "$1/queue/incoming" -type f ! -perm -u+x 2>/dev/null)" ] && return
    sleep 0.1
  done
}
settle "$PF_ROOT"
settle "$PL_ROOT"
postcat_all() { # postcat_all ROOT OUTDIR
  local root=$1 out=$2 path id key
  mkdir -p "$out"
  while IFS= read -r path; do
    id=$(basename "$path")
    /usr/sbin/postcat -c "$root/conf" -q "$id" >"$out/raw" 2>&1
    key=$(sed -n 's/^recipient: //p' "$out/raw" | head -n 1)
    [ -n "$key" ] || key="no-recipient-$id"
    sed -E -e "s/$id/QUEUEID/g" \
      -e 's/^(message_size|message_arrival_time|create_time): .*/\1: (masked)/' \
      -e 's/(client_port|server_port)=[0-9]{5}$/\1=PORT/' -e "s/server_port=($PF_PORT|$PL_PORT)$/server_port=PORT/" \
      -e 's/[A-Z][a-z]{2}, [ 0-9]?[0-9] [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} [-+][0-9]{4}( \([A-Z]+\))?/DATE/g' \
      "$out/raw" >"$out/$key"
    rm -f "$out/raw"
  done < <(find "$root/queue/incoming" -type f)
}
postcat_all "$PF_ROOT" "$WORK/pf.queue"
postcat_all "$PL_ROOT" "$WORK/pl.queue"
(cd "$WORK/pf.queue" && ls) >"$WORK/pf.queued"
(cd "$WORK/pl.queue" && ls) >"$WORK/pl.queued"
same_files "the same messages were queued" "$WORK/pf.queued" "$WORK/pl.queued"
for f in "$WORK/pf.queue"/*; do
  key=$(basename "$f")
  [ -f "$WORK/pl.queue/$key" ] || continue
  same_files "queue file for <$key>, read by Postfix's postcat" "$f" "$WORK/pl.queue/$key"
done

# smtpd's log lines after line FROM, without time, host, pid and queue ids.
smtpd_log() { # smtpd_log LOG FROM
  tail -n +"$(($2 + 1))" "$1" | grep ' postfix/smtpd\[' |
    sed -E 's/^.* postfix\/smtpd\[[0-9]+\]: //; s/\b[0-9A-F]{8,12}\b/QUEUEID/g'
}
for _ in $(seq 50); do
  [ "$(tail -n +"$((pf_from + 1))" "$PF_ROOT/maillog" | grep -c ' postfix/smtpd\[.*disconnect from')" -ge 4 ] && break
  sleep 0.1
done
smtpd_log "$PF_ROOT/maillog" "$pf_from" >"$WORK/pf.log"
smtpd_log "$PL_ROOT/maillog" "$pl_from" >"$WORK/pl.log"
same_files "smtpd's log lines" "$WORK/pf.log" "$WORK/pl.log"

pl_stop
finish
