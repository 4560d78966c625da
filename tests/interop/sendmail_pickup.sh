#!/usr/bin/env bash
# A message submitted with our sendmail (through our postdrop) into the maildrop queue of
# a running Postfix 3.7 is picked up and delivered by Postfix as one submitted with
# Postfix's own sendmail: a private instance on 127.0.0.1 (remote transports are
# discard(8)) gets one message from each, with the same sender, options and content;
# what pickup, cleanup, qmgr and the delivery agent log for each must be the same,
# queue ids, times and delays aside. Our postdrop's wake-up of pickup is part of the
# test: pickup's own timer (60 s) is longer than the wait.
# Usage: tests/interop/sendmail_pickup.sh BUILD_DIR/bin (as root: it starts Postfix).
# PF_PORT picks the instance's port (default 10731); KEEP_WORK=1 keeps the scratch tree.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/lib.bash"
PF_PORT=${PF_PORT:-10731}
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"

pf_instance_guard sendmail_pickup

ROOT=$WORK/pf
CONF=$ROOT/conf

mkdir -p "$CONF" "$ROOT/queue" "$ROOT/data" "$ROOT/spool"
chown postfix "$ROOT/data"
chmod 1777 "$ROOT/spool"
pf_main_cf "$CONF/main.cf" "$ROOT"
pf_master_cf "$CONF/master.cf"
touch -d '1 hour ago' "$CONF/main.cf"
if ! /usr/sbin/postfix -c "$CONF" start >"$WORK/start.log" 2>&1; then
  bad "Postfix instance start" "$WORK/start.log"
  finish
fi
RUNNING=$CONF
LOG=$ROOT/maillog

# submit LABEL PROGRAM: one message to LABEL@remote.example (relayed: smtp is discard(8)),
# with a full name, DSN options, a long line and an 8-bit body line. Both labels have
# four letters, so that both messages have the same size.
submit() {
  local label=$1 prog=$2
  {
    printf 'From: Alice <alice@example.org>\nTo: %s@remote.example\nSubject: pickup test\n\n' "$label"
    printf 'first line\n%s\n' "$(head -c 3000 /dev/zero | tr '\0' x)"
    printf 'caf\xc3\xa9\n.\nlast line\n'
  } | MAIL_CONFIG=$CONF "$prog" -i -f alice@example.org -F 'Alice Example' -N success,delay -R hdrs \
    -V "envid-$label" "$label@remote.example" >"$WORK/$label.out" 2>"$WORK/$label.err"
  echo $? >"$WORK/$label.rc"
  # Postfix's pickup service is running: no warning about public/pickup is expected.
  if [ "$(cat "$WORK/$label.rc")" != 0 ] || [ -s "$WORK/$label.err" ]; then
    bad "$label: sendmail exit status $(cat "$WORK/$label.rc")" "$WORK/$label.err"
  else
    ok "$label: submitted"
  fi
}
submit pfix /usr/sbin/sendmail
submit ours "$OURS_BIN/sendmail"

# The log lines of the message delivered to LABEL@remote.example, in order, with the
# queue id, times, delays, the process ids and the recipient's local part masked.
delivered() { grep -q "to=<$1@remote.example>.*status=sent" "$LOG" 2>/dev/null; }
for _ in $(seq 1 150); do
  delivered pfix && delivered ours && break
  sleep 0.2
done
log_of() {
  local label=$1 id
  id=$(grep -o "[0-9A-Za-z]*: to=<$label@remote.example>" "$LOG" | head -n 1 | cut -d: -f1)
  [ -n "$id" ] || return 0
  grep " $id: " "$LOG" | sed -E \
    -e 's/^[A-Z][a-z]{2} +[0-9]+ [0-9:]{8} [^ ]+ //' \
    -e 's/\[[0-9]+\]:/[PID]:/' \
    -e "s/$id/QUEUEID/g" \
    -e 's/(message-id=<)[^>]*>/\1MSGID>/' \
    -e 's/delay=[0-9.]+/delay=D/; s/delays=[0-9.\/]+/delays=D/' \
    -e 's/(notification: )[0-9A-Za-z]+/\1QUEUEID/' \
    -e "s/$label@remote.example/RCPT@remote.example/g; s/envid-$label/envid-LABEL/g"
}
log_of pfix >"$WORK/log.postfix"
log_of ours >"$WORK/log.ours"
if ! delivered pfix || ! delivered ours; then
  bad "both messages delivered (pickup, cleanup, qmgr, discard)" "$LOG"
elif ! diff -u "$WORK/log.postfix" "$WORK/log.ours" >"$WORK/log.diff"; then
  bad "the log of our submission is Postfix's" "$WORK/log.diff"
else
  ok "both delivered; the log of our submission is Postfix's ($(wc -l <"$WORK/log.ours") lines)"
fi
finish
