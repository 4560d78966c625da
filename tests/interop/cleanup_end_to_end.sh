#!/usr/bin/env bash
# Local submission end to end: a private Postfix 3.7 instance and a private Postline
# instance (our master, pickup and cleanup, run by an ordinary user), both without a
# queue manager so that what they accept stays in incoming/, get the same messages
# through sendmail (Postfix's into Postfix, ours into Postline: tests/interop/sendmail.sh
# shows the two write the same maildrop files). Postfix's postcat must show the queue
# files alike, and pickup and cleanup must log the same lines, ids, times and process
# ids masked. Usage: tests/interop/cleanup_end_to_end.sh BUILD_DIR/bin (as root).
# PF_PORT and PL_PORT pick the ports (10743, 10744); KEEP_WORK=1 keeps the scratch tree.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/lib.bash"
PF_PORT=${PF_PORT:-10743}
PL_PORT=${PL_PORT:-10744}
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
# shellcheck source=tests/interop/cleanup_view.bash
source "$HERE/cleanup_view.bash"
# shellcheck source=tests/integration/postline_instance.bash
source "$HERE/../integration/postline_instance.bash"
pf_instance_guard cleanup_end_to_end
pl_instance_guard cleanup_end_to_end

shared_main_cf() { # shared_main_cf FILE ROOT
  pf_main_cf "$1" "$2"
  cat >>"$1" <<'MAIN'
header_checks = regexp:{ {/^Subject: held/ HOLD}, {/^X-Strip:/ IGNORE} }
canonical_maps = inline:{ {old@example.org=new@example.org} }
MAIN
}

PF_ROOT=$WORK/pf
mkdir -p "$PF_ROOT/conf" "$PF_ROOT/queue" "$PF_ROOT/data" "$PF_ROOT/spool"
chown postfix "$PF_ROOT/data"
shared_main_cf "$PF_ROOT/conf/main.cf" "$PF_ROOT"
PF_PORT=$PF_PORT pf_master_cf "$PF_ROOT/conf/master.cf"
sed -i '/^qmgr /d' "$PF_ROOT/conf/master.cf"
touch -d '1 hour ago' "$PF_ROOT/conf/main.cf"
if ! /usr/sbin/postfix -c "$PF_ROOT/conf" start >"$WORK/pf-start.log" 2>&1; then
  bad "Postfix instance start" "$WORK/pf-start.log"
  finish
fi
RUNNING=$PF_ROOT/conf

PL_ROOT=$WORK/pl
pl_root "$PL_ROOT"
shared_main_cf "$PL_ROOT/conf/main.cf" "$PL_ROOT"
PF_PORT=$PL_PORT pf_master_cf "$PL_ROOT/conf/master.cf"
sed -i '/^qmgr /d' "$PL_ROOT/conf/master.cf"
pl_start "$PL_ROOT"

# message NAME: the text and the sendmail arguments of each message.
message_text() {
  case $1 in
  plain) printf 'Subject: plain\n\nbody\n' ;;
  full) printf 'From: Old <old@example.org>\nTo: bob, carol@remote.example\nCc: dave\nSubject: full\nX-Strip: gone\nMessage-ID: <fixed@example.org>\n\nbody\n' ;;
  held) printf 'Subject: held for review\n\nbody\n' ;;
  long) printf 'Subject: long\n\n%s\n' "$(head -c 5000 /dev/zero | tr '\0' y)" ;;
  utf8) printf 'Subject: caf\303\251\n\nna\303\257ve body\n' ;;
  esac
}
message_args() {
  case $1 in
  plain) echo "-f alice@example.org -F Alice bob@example.org" ;;
  full) echo "-f old@example.org -N success,delay -R hdrs -V envid-1 -t" ;;
  held) echo "-f alice bob" ;;
  long) echo "-f <> bob carol bob" ;;
  utf8) printf '%s' "-f jos$(printf '\303\251')@example.org bob" ;;
  esac
}
NAMES="plain full held long utf8"

queued() { find "$1/queue/incoming" "$1/queue/hold" -type f -perm -u+x 2>/dev/null | wc -l; }
wait_queued() { # wait_queued ROOT N
  for _ in $(seq 1 100); do
    [ "$(queued "$1")" -ge "$2" ] && [ -z "$(find "$1/queue/maildrop" -type f)" ] && return 0
    sleep 0.1
  done
  return 1
}
last_id() { grep -o 'pickup\[[0-9]*\]: [0-9A-Za-z]*: uid=' "$1/maillog" | tail -n 1 | sed -E 's/.*: ([0-9A-Za-z]+): uid=/\1/'; }
view() { # view ROOT ID
  local root=$1 id=$2 file
  file=$(find "$root/queue/incoming" "$root/queue/hold" -name "$id" -type f | head -n 1)
  echo "queue $(basename "$(dirname "$file")") mode $(stat -c %a "$file" 2>/dev/null)"
  /usr/sbin/postcat -c "$PF_ROOT/conf" "$file" 2>&1 | sed -E \
    -e "s/$id/QUEUEID/g" \
    -e 's/^(create_time|message_arrival_time): .*/\1: TIME/' \
    -e 's/^(message_size: +[0-9]+ +)[0-9]+/\1OFFSET/' \
    -e 's/^(\*\*\* [A-Z ]+ ).*/\1FILE ***/' \
    -e 's/[0-9]{14}\.QUEUEID/STAMP.QUEUEID/' \
    -e 's/^(Date: |\tid QUEUEID; ).*/\1DATE/' \
    -e 's/from userid [0-9]+/from userid UID/'
  size_record_check "$PF_ROOT/conf" "$file"
  grep -F "$id" "$root/maillog" | sed -E -e 's/^[A-Z][a-z]{2} +[0-9]+ [0-9:]{8} [^ ]+ //' -e 's/\[[0-9]+\]:/[PID]:/' \
    -e "s/$id/QUEUEID/g" -e 's/[0-9]{14}\.QUEUEID/STAMP.QUEUEID/' -e 's/uid=[0-9]+/uid=UID/'
}

count=0
for n in $NAMES; do
  count=$((count + 1))
  # shellcheck disable=SC2046
  message_text "$n" | MAIL_CONFIG=$PF_ROOT/conf /usr/sbin/sendmail -i $(message_args "$n") >/dev/null 2>&1
  # shellcheck disable=SC2046
  message_text "$n" | MAIL_CONFIG=$PL_ROOT/conf "$OURS_BIN/sendmail" -i $(message_args "$n") >/dev/null 2>&1
  if ! wait_queued "$PF_ROOT" "$count"; then bad "$n: queued by Postfix" "$PF_ROOT/maillog"; finish; fi
  if ! wait_queued "$PL_ROOT" "$count"; then bad "$n: queued by Postline" "$PL_ROOT/maillog"; finish; fi
  sleep 0.3
  view "$PF_ROOT" "$(last_id "$PF_ROOT")" >"$WORK/$n.postfix"
  view "$PL_ROOT" "$(last_id "$PL_ROOT")" >"$WORK/$n.ours"
  if diff -u "$WORK/$n.postfix" "$WORK/$n.ours" >"$WORK/$n.diff"; then
    ok "$n: same queue file and log lines"
  else
    bad "$n: Postfix and Postline queued it differently" "$WORK/$n.diff"
  fi
done
finish
