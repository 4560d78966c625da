#!/usr/bin/env bash
# Our pickup hands maildrop files to cleanup as Postfix 3.7's pickup does: in a private
# Postfix instance without qmgr (queue files stay in incoming/), messages submitted with
# Postfix's sendmail are picked up first by Postfix's pickup, then (pickup removed from
# master.cf) by ours run stand-alone against Postfix's cleanup; the queue files
# (postcat), pickup's log lines and the handling of bad maildrop files must match, queue
# ids, times and process ids aside.
# Usage: tests/interop/cleanup_pickup.sh BUILD_DIR/bin (as root: it starts Postfix).
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/lib.bash"
PF_PORT=${PF_PORT:-10742}
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
# shellcheck source=tests/interop/cleanup_view.bash
source "$HERE/cleanup_view.bash"

pf_instance_guard cleanup_pickup

ROOT=$WORK/pf
CONF=$ROOT/conf
OURS_PICKUP=$OURS_BIN/../libexec/pickup
mkdir -p "$CONF" "$ROOT/queue" "$ROOT/data" "$ROOT/spool"
chown postfix "$ROOT/data"
pf_main_cf "$CONF/main.cf" "$ROOT"
pf_master_cf "$CONF/master.cf"
sed -i '/^qmgr /d' "$CONF/master.cf"
touch -d '1 hour ago' "$CONF/main.cf"
if ! /usr/sbin/postfix -c "$CONF" start >"$WORK/start.log" 2>&1; then
  bad "Postfix instance start" "$WORK/start.log"
  finish
fi
RUNNING=$CONF
LOG=$ROOT/maillog
if ! "$OURS_BIN/postline" compile -c "$CONF" >"$WORK/compile.log" 2>&1; then
  bad "postline compile of the instance's configuration" "$WORK/compile.log"
  finish
fi

# The messages: NAME and the sendmail arguments; the text comes from message_text.
message_text() {
  case $1 in
  plain) printf 'Subject: plain\n\nbody\n' ;;
  headers) printf 'From: Alice <alice@example.org>\nTo: bob, carol@remote.example\nSubject: headers\nMessage-ID: <fixed@example.org>\n\nbody\n' ;;
  folded) printf ' starts with a blank\nSubject: x\n\nbody\n' ;;
  long) printf 'Subject: long\n\n%s\n' "$(head -c 5000 /dev/zero | tr '\0' y)" ;;
  utf8) printf 'Subject: caf\303\251\n\nna\303\257ve body\n' ;;
  esac
}
message_args() {
  case $1 in
  plain) echo "-f alice@example.org bob@example.org" ;;
  headers) echo "-F Alice_Example -N success,delay -R hdrs -V envid-1 -t" ;;
  folded) echo "-f <> bob" ;;
  long) echo "-f alice bob carol bob" ;;
  utf8) printf '%s' "-f jos$(printf '\303\251')@example.org bob" ;;
  esac
}
NAMES="plain headers folded long utf8"

submit() { # submit NAME
  # shellcheck disable=SC2046
  message_text "$1" | MAIL_CONFIG=$CONF /usr/sbin/sendmail -i $(message_args "$1") >/dev/null 2>&1
}
incoming_count() { find "$ROOT/queue/incoming" -type f | wc -l; }
maildrop_count() { find "$ROOT/queue/maildrop" -type f | wc -l; }
wait_incoming() { # wait_incoming N
  for _ in $(seq 1 100); do
    [ "$(incoming_count)" -ge "$1" ] && [ "$(maildrop_count)" = 0 ] && return 0
    sleep 0.1
  done
  return 1
}
# A queue file's postcat view and what pickup and cleanup logged about it, masked.
view() { # view ID
  local id=$1 file
  file=$(find "$ROOT/queue/incoming" -name "$id" -type f | head -n 1)
  /usr/sbin/postcat -c "$CONF" "$file" 2>&1 | sed -E \
    -e "s/$id/QUEUEID/g" \
    -e 's/^(create_time|message_arrival_time): .*/\1: TIME/' \
    -e 's/^(message_size: +[0-9]+ +)[0-9]+/\1OFFSET/' \
    -e 's/^(\*\*\* ENVELOPE RECORDS ).*/\1FILE ***/' \
    -e 's/[0-9]{14}\.QUEUEID/STAMP.QUEUEID/' \
    -e 's/^(Date: |\tid QUEUEID; ).*/\1DATE/'
  size_record_check "$CONF" "$file"
  grep -F "$id" "$LOG" | sed -E -e 's/^[A-Z][a-z]{2} +[0-9]+ [0-9:]{8} [^ ]+ //' -e 's/\[[0-9]+\]:/[PID]:/' \
    -e "s/$id/QUEUEID/g" -e 's/[0-9]{14}\.QUEUEID/STAMP.QUEUEID/'
}

# A bad maildrop file: a complete file whose envelope holds a content record.
bad_file() { # bad_file NAME
  python3 - "$ROOT/queue/maildrop/$1" <<'PY'
import os, sys
def rec(t, d): return bytes([ord(t), len(d)]) + d
open(sys.argv[1], "wb").write(rec("S", b"alice") + rec("N", b"not here") + rec("M", b""))
os.chmod(sys.argv[1], 0o744)
PY
}

last_pickup_id() { grep -o 'postfix/pickup\[[0-9]*\]: [0-9A-Z]*: uid=' "$LOG" | tail -n 1 | sed -E 's/.*: ([0-9A-Z]+): uid=/\1/'; }

# Round 1: Postfix's pickup, one message at a time.
declare -A PF_ID OUR_ID
for n in $NAMES; do
  before=$(incoming_count)
  submit "$n"
  if ! wait_incoming $((before + 1)); then bad "$n: Postfix's pickup picked it up" "$LOG"; finish; fi
  PF_ID[$n]=$(last_pickup_id)
done
bad_file BADFILE1
for _ in $(seq 1 100); do [ "$(maildrop_count)" = 0 ] && break; sleep 0.1; done

# Round 2: ours. Postfix's pickup leaves the master.cf; the same messages are dropped again.
sed -i '/^pickup /d' "$CONF/master.cf"
/usr/sbin/postfix -c "$CONF" reload >/dev/null 2>&1
sleep 1
for n in $NAMES; do
  before=$(incoming_count)
  submit "$n"
  echo W | MAIL_CONFIG=$CONF "$OURS_PICKUP" -S >>"$WORK/ours.out" 2>&1
  if ! wait_incoming $((before + 1)); then bad "$n: our pickup picked it up" "$WORK/ours.out"; finish; fi
  OUR_ID[$n]=$(last_pickup_id)
  # Our pickup must have logged this message itself (not left Postfix's last line last).
  for m in $NAMES; do [ "${OUR_ID[$n]}" != "${PF_ID[$m]}" ] || bad "$n: our pickup logged no uid= line" "$WORK/ours.out"; done
done
bad_file BADFILE2
echo W | MAIL_CONFIG=$CONF "$OURS_PICKUP" -S >>"$WORK/ours.out" 2>&1
sleep 0.3

for n in $NAMES; do
  view "${PF_ID[$n]}" >"$WORK/$n.postfix"
  view "${OUR_ID[$n]:-none}" >"$WORK/$n.ours"
  if diff -u "$WORK/$n.postfix" "$WORK/$n.ours" >"$WORK/$n.diff"; then
    ok "$n: same queue file and log"
  else
    bad "$n: picked up differently (Postfix's pickup vs ours)" "$WORK/$n.diff"
  fi
done
grep 'unexpected or malformed' "$LOG" | sed -E -e 's/^[A-Z][a-z]{2} +[0-9]+ [0-9:]{8} [^ ]+ //' -e 's/\[[0-9]+\]:/[PID]:/' | sort | uniq -c >"$WORK/badfile.log"
if [ "$(awk '{print $1}' "$WORK/badfile.log")" = 2 ] && [ "$(maildrop_count)" = 0 ]; then
  ok "bad maildrop file: same warning, removed"
else
  bad "bad maildrop file: same warning, removed" "$WORK/badfile.log"
fi
finish
