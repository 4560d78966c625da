#!/usr/bin/env bash
# showq's ipc_timeout: a client of public/showq that stops reading must not hold the
# service for ever (Postfix's single_server gives every client stream ipc_timeout). A
# private Postline instance with one showq process (maxproc 1) and ipc_timeout = 2s
# holds a message with 12,000 recipients in maildrop (no pickup runs), more listing than
# a socket buffers. Client A connects and reads nothing; `postqueue -p` (client B) must
# still get the whole listing once A's time is up, and A's listing is cut short.
# Usage: tests/integration/showq_timeout.sh BUILD_DIR/bin. PL_PORT picks the port;
# KEEP_WORK=1 keeps the scratch tree.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/../interop/lib.bash"
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
# shellcheck source=tests/integration/postline_instance.bash
source "$HERE/../integration/postline_instance.bash"
pl_instance_guard showq_timeout
pl_require_daemons showq_timeout master smtpd showq

ROOT=$WORK/pl
CONF=$ROOT/conf
pl_root "$ROOT"
pf_main_cf "$CONF/main.cf" "$ROOT"
echo "ipc_timeout = 2s" >>"$CONF/main.cf"
PF_PORT=$PL_PORT pf_master_cf "$CONF/master.cf"
sed -i -e '/^pickup /d' -e 's/^showq .*/showq     unix  n - n - 1 showq/' "$CONF/master.cf"
pl_start "$ROOT"

RECIPIENTS=12000
mapfile -t rcpts < <(seq -f "r%05g@a-long-domain-name-to-fill-the-listing.example" 1 "$RECIPIENTS")
if printf 'Subject: many\n\nbody\n' | as_pl_user "$OURS_BIN/sendmail" -C "$CONF" -f s@example.org "${rcpts[@]}" \
  >"$WORK/sendmail.log" 2>&1; then
  ok "sendmail puts a message with $RECIPIENTS recipients in maildrop"
else
  bad "sendmail puts a message with $RECIPIENTS recipients in maildrop" "$WORK/sendmail.log"
fi

# Client A: connects, reads nothing for 15 s, then reads what it was sent.
python3 - "$ROOT/queue/public/showq" >"$WORK/a.out" 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
time.sleep(15)
s.settimeout(10)
total = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    total += chunk
print(len(total), total.count(b"recipient\0"))
PY
A_PID=$!
sleep 0.5
started=$(date +%s)
if timeout 10 setpriv --reuid="$PL_USER" --regid=nogroup --clear-groups -- \
  env MAIL_CONFIG="$CONF" "$OURS_BIN/postqueue" -p >"$WORK/b.out" 2>"$WORK/b.err"; then
  listed=$(grep -c '@a-long-domain-name-to-fill-the-listing.example' "$WORK/b.out")
  if [ "$listed" = "$RECIPIENTS" ]; then
    ok "postqueue -p gets the whole listing ($listed recipients) $(($(date +%s) - started)) s after a client that does not read"
  else
    bad "postqueue -p lists every recipient (got $listed)" "$WORK/b.out"
  fi
else
  bad "postqueue -p gets its listing while another client does not read (showq is held)" "$WORK/b.err"
fi
wait "$A_PID"
read -r a_bytes a_recipients <"$WORK/a.out" || true
if [ -n "${a_recipients:-}" ] && ((a_recipients < RECIPIENTS)); then
  ok "the client that did not read has its listing cut short after ipc_timeout ($a_recipients of $RECIPIENTS recipients, $a_bytes bytes)"
else
  bad "the client that did not read has its listing cut short" "$WORK/a.out"
fi
finish
