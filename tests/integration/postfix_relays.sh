#!/usr/bin/env bash
# The real Postfix 3.7 as a client of Postline: a private Postfix instance (with its
# queue manager) relays mail for relay-test.example through its smtp(8) client to a
# private Postline instance on 127.0.0.1. Only that one transport (tolocal, an smtp(8)
# service with the loopback nexthop [127.0.0.1]:PL_PORT) is a real SMTP client; smtp,
# relay and lmtp stay discard, so nothing can leave the machine. Postfix must log
# status=sent with our "250 2.0.0 Ok: queued as ID", and our queue must hold each
# message with its content, envelope and DSN parameters as Postfix's client sent them.
# Usage: tests/integration/postfix_relays.sh BUILD_DIR/bin (as root).
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/../interop/lib.bash"
PF_PORT=${PF_PORT:-10739}
PL_PORT=${PL_PORT:-10740}
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
# shellcheck source=tests/integration/postline_instance.bash
source "$HERE/../integration/postline_instance.bash"
pf_instance_guard postfix_relays
pl_instance_guard postfix_relays

PL_ROOT=$WORK/pl
pl_root "$PL_ROOT"
pf_main_cf "$PL_ROOT/conf/main.cf" "$PL_ROOT"
cat >>"$PL_ROOT/conf/main.cf" <<'MAIN'
smtpd_forbid_bare_newline = normalize
in_flow_delay = 0
myhostname = mx.postline.example
MAIN
PF_PORT=$PL_PORT pf_master_cf "$PL_ROOT/conf/master.cf"
sed -i '/^qmgr /d; /^pickup /d' "$PL_ROOT/conf/master.cf"
pl_start "$PL_ROOT"

PF_ROOT=$WORK/pf
mkdir -p "$PF_ROOT/conf" "$PF_ROOT/queue" "$PF_ROOT/data" "$PF_ROOT/spool"
chown postfix "$PF_ROOT/data"
pf_main_cf "$PF_ROOT/conf/main.cf" "$PF_ROOT"
sed -i '/^maximal_queue_lifetime = /d; /^bounce_queue_lifetime = /d' "$PF_ROOT/conf/main.cf"
cat >>"$PF_ROOT/conf/main.cf" <<MAIN
maximal_queue_lifetime = 1d
bounce_queue_lifetime = 1d
transport_maps = inline:{relay-test.example=tolocal:[127.0.0.1]:$PL_PORT}
smtputf8_enable = yes
MAIN
pf_master_cf "$PF_ROOT/conf/master.cf"
echo "tolocal   unix  - - n - - smtp -o syslog_name=postfix/tolocal" >>"$PF_ROOT/conf/master.cf"
touch -d '1 hour ago' "$PF_ROOT/conf/main.cf"
chmod -R a+rX "$PF_ROOT"
if ! /usr/sbin/postfix -c "$PF_ROOT/conf" start >"$WORK/pf-start.log" 2>&1; then
  cat "$WORK/pf-start.log" >&2
  exit 1
fi
RUNNING=$PF_ROOT/conf

# Three messages into Postfix over SMTP: plain, with DSN parameters and two recipients,
# 8-bit with a long line.
python3 "$HERE/../integration/relay_messages.py" "$PF_PORT"

# Wait until Postfix has relayed all four recipients (or 30 s).
sent() { grep -c 'postfix/tolocal.*status=sent' "$PF_ROOT/maillog" 2>/dev/null || true; }
for _ in $(seq 1 300); do
  [ "$(sent)" -ge 4 ] && break
  sleep 0.1
done
if [ "$(sent)" = 4 ]; then
  ok "Postfix's smtp client relayed 4 recipients into Postline (status=sent)"
else
  grep -E 'tolocal|smtpd' "$PF_ROOT/maillog" "$PL_ROOT/maillog" >"$WORK/relay.log" 2>&1
  bad "Postfix's smtp client relayed 4 recipients into Postline (status=sent)" "$WORK/relay.log"
fi
# Each status=sent names our reply; each queue id it names is a complete file of ours.
grep 'postfix/tolocal.*status=sent' "$PF_ROOT/maillog" |
  sed -nE 's/.*relay=127\.0\.0\.1\[127\.0\.0\.1\]:[0-9]+.*status=sent \(250 2\.0\.0 Ok: queued as ([0-9A-Za-z]+)\)$/\1/p' |
  sort -u >"$WORK/relayed.ids"
missing=0
while read -r id; do
  f=$(find "$PL_ROOT/queue/incoming" -name "$id" -perm -u+x)
  [ -n "$f" ] || missing=$((missing + 1))
done <"$WORK/relayed.ids"
if [ "$(wc -l <"$WORK/relayed.ids")" = 3 ] && [ "$missing" = 0 ]; then
  ok "the 3 messages are complete queue files of ours, by the ids our smtpd gave"
else
  cat "$WORK/relayed.ids" >"$WORK/ids.txt"
  bad "the 3 messages are complete queue files of ours, by the ids our smtpd gave" "$WORK/ids.txt"
fi
# What the files hold, as Postfix's postcat shows them: the envelope and DSN parameters
# Postfix's client passed on, the content after our Received header.
for id in $(cat "$WORK/relayed.ids"); do
  /usr/sbin/postcat -c "$PL_ROOT/conf" -q "$id"
done >"$WORK/postcat.txt" 2>&1
expect() { # expect LABEL PATTERN
  if grep -aqE -- "$2" "$WORK/postcat.txt"; then ok "$1"; else bad "$1" "$WORK/postcat.txt"; fi
}
expect "sender and recipients arrived" '^recipient: three@relay-test\.example$'
expect "the DSN envelope id arrived" '^named_attribute: envelope_id=env-7$'
expect "the DSN original recipient arrived" '^named_attribute: dsn_orig_rcpt=rfc822;orig@example\.com$'
expect "the DSN notify flags arrived (SUCCESS, FAILURE)" '^named_attribute: notify_flags=6$'
expect "our Received header names Postfix's client" 'by mx\.postline\.example \(Postfix\) with ESMTP id'
expect "the 8-bit body arrived" "$(printf 'caf\xe9')"
# Postfix's client folds a line longer than smtp_line_length_limit (998).
expect "the long line arrived as Postfix's client folds it" '^x{998}$'

stop_instance
pl_stop
finish
