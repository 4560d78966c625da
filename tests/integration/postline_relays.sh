#!/usr/bin/env bash
# Postline's smtp(8) client relaying into the real Postfix 3.7 (the other direction of
# postfix_relays.sh): a private Postline instance (queue manager and smtp agent) relays
# mail for relay-test.example through its own transport (tofix, an smtp service with
# the loopback nexthop [127.0.0.1]:PF_PORT) to a private Postfix instance without a
# queue manager (what it accepts stays in its incoming queue). Postline must log
# status=sent with Postfix's "250 2.0.0 Ok: queued as ID", and Postfix's queue must hold
# each message with the envelope, DSN parameters and content our client sent; smtp,
# relay and lmtp stay discard on both sides, so nothing can leave the machine.
# Usage: tests/integration/postline_relays.sh BUILD_DIR/bin (as root).
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/../interop/lib.bash"
PF_PORT=${PF_PORT:-10767}
PL_PORT=${PL_PORT:-10768}
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
# shellcheck source=tests/integration/postline_instance.bash
source "$HERE/../integration/postline_instance.bash"
pf_instance_guard postline_relays
pl_instance_guard postline_relays
pl_require_daemons postline_relays master smtpd cleanup qmgr smtp

PF_ROOT=$WORK/pf
pf_private "$PF_ROOT"
pf_main_cf "$PF_ROOT/conf/main.cf" "$PF_ROOT"
cat >>"$PF_ROOT/conf/main.cf" <<'MAIN'
myhostname = mx.postfix.example
mydestination = relay-test.example
local_recipient_maps =
in_flow_delay = 0
smtputf8_enable = yes
MAIN
pf_master_cf "$PF_ROOT/conf/master.cf"
sed -i '/^qmgr /d; /^pickup /d' "$PF_ROOT/conf/master.cf"
pf_private_start "$PF_ROOT"

PL_ROOT=$WORK/pl
pl_root "$PL_ROOT"
pf_main_cf "$PL_ROOT/conf/main.cf" "$PL_ROOT"
sed -i '/^maximal_queue_lifetime = /d; /^bounce_queue_lifetime = /d' "$PL_ROOT/conf/main.cf"
cat >>"$PL_ROOT/conf/main.cf" <<MAIN
maximal_queue_lifetime = 1d
bounce_queue_lifetime = 1d
in_flow_delay = 0
smtputf8_enable = yes
transport_maps = inline:{relay-test.example=tofix:[127.0.0.1]:$PF_PORT}
MAIN
PF_PORT=$PL_PORT pf_master_cf "$PL_ROOT/conf/master.cf"
sed -i '/^pickup /d' "$PL_ROOT/conf/master.cf"
echo "tofix     unix  - - n - - smtp -o syslog_name=postfix/tofix" >>"$PL_ROOT/conf/master.cf"
pl_start "$PL_ROOT"

# Three messages into Postline over SMTP: plain, with DSN parameters and two
# recipients, 8-bit with a long line.
python3 "$HERE/../integration/relay_messages.py" "$PL_PORT"

sent() { grep -c 'postfix/tofix/smtp.*status=sent' "$PL_ROOT/maillog" 2>/dev/null || true; }
for _ in $(seq 1 300); do
  [ "$(sent)" -ge 4 ] && break
  sleep 0.1
done
if [ "$(sent)" = 4 ]; then
  ok "Postline's smtp client relayed 4 recipients into Postfix (status=sent)"
else
  grep -E 'tofix|smtpd|qmgr' "$PL_ROOT/maillog" "$PF_ROOT/maillog" >"$WORK/relay.log" 2>&1
  bad "Postline's smtp client relayed 4 recipients into Postfix (status=sent)" "$WORK/relay.log"
fi
grep 'postfix/tofix/smtp.*status=sent' "$PL_ROOT/maillog" |
  sed -nE 's/.*relay=127\.0\.0\.1\[127\.0\.0\.1\]:[0-9]+,.*status=sent \(250 2\.0\.0 Ok: queued as ([0-9A-Za-z]+)\)$/\1/p' |
  sort -u >"$WORK/relayed.ids"
missing=0
while read -r id; do
  [ -n "$(find "$PF_ROOT/queue/incoming" -name "$id" -perm -u+x)" ] || missing=$((missing + 1))
done <"$WORK/relayed.ids"
if [ "$(wc -l <"$WORK/relayed.ids")" = 3 ] && [ "$missing" = 0 ]; then
  ok "the 3 messages are complete queue files of Postfix's, by the ids its smtpd gave"
else
  grep 'postfix/tofix' "$PL_ROOT/maillog" >"$WORK/ids.txt"
  bad "the 3 messages are complete queue files of Postfix's, by the ids its smtpd gave" "$WORK/ids.txt"
fi
for id in $(cat "$WORK/relayed.ids"); do
  /usr/sbin/postcat -c "$PF_ROOT/conf" -q "$id"
done >"$WORK/postcat.txt" 2>&1
expect() { # expect LABEL PATTERN
  if grep -aqE -- "$2" "$WORK/postcat.txt"; then ok "$1"; else bad "$1" "$WORK/postcat.txt"; fi
}
expect "sender and recipients arrived" '^recipient: three@relay-test\.example$'
expect "the DSN envelope id arrived" '^named_attribute: envelope_id=env-7$'
expect "the DSN original recipient arrived" '^named_attribute: dsn_orig_rcpt=rfc822;orig@example\.com$'
expect "the DSN notify flags arrived (SUCCESS, FAILURE)" '^named_attribute: notify_flags=6$'
expect "the DSN RET arrived (HDRS)" '^named_attribute: ret_flags=2$'
expect "the 8-bit body arrived as 8BITMIME" '^named_attribute: encoding=8bit$'
expect "Postfix's Received header names our client" 'from mx\.example\.org \(localhost \[127\.0\.0\.1\]\)|from mx\.example\.org \(unknown \[127\.0\.0\.1\]\)'
expect "the 8-bit body arrived" "$(printf 'caf\xe9')"
expect "a dot-started line arrived unstuffed" '^\.dot$'
expect "the long line arrived as smtp_line_length_limit folds it" '^x{998}$'

stop_instance
pl_stop
finish
