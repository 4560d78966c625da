#!/usr/bin/env bash
# The queue file our cleanup writes is the one Postfix 3.7's cleanup writes: the same
# records fed over the cleanup protocol (cleanup_feed.py) to Postfix's cleanup in a
# private instance (public/cleanup; no qmgr, so files stay in incoming/ or hold/) and
# to ours stand-alone (-S) on the same configuration; Postfix's postcat shows both files
# alike once queue ids, times and the Message-Id timestamp are masked, both answer
# the same status and reason, and both log the same lines about the message. Cases: testdata/interop/cleanup/*.case.
# Usage: tests/interop/cleanup_queue_file.sh BUILD_DIR/bin (as root: it starts Postfix).
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/lib.bash"
PF_PORT=${PF_PORT:-10741}
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"

pf_instance_guard cleanup_queue_file

ROOT=$WORK/pf
CONF=$ROOT/conf
CASES=$HERE/../../testdata/interop/cleanup
OURS_CLEANUP=$OURS_BIN/../libexec/cleanup

mkdir -p "$CONF" "$ROOT/queue" "$ROOT/data" "$ROOT/spool"
chown postfix "$ROOT/data"
pf_main_cf "$CONF/main.cf" "$ROOT"
cat >>"$CONF/main.cf" <<MAIN
header_checks = regexp:$CONF/header_checks
body_checks = regexp:$CONF/body_checks
canonical_maps = inline:{ {canon@example.org=canonical@example.org} }
virtual_alias_maps = inline:{ {list@example.org=one@example.org, two@example.org} }
masquerade_domains = example.org
sender_bcc_maps = inline:{ {bccsender@example.org=sbcc@example.net} }
recipient_bcc_maps = inline:{ {bccrcpt@example.org=rbcc@example.net} }
MAIN
cat >"$CONF/header_checks" <<'CHECKS'
/^Subject: reject-me/ REJECT go away
/^Subject: defer-me/ REJECT 4.7.0 later
/^Subject: hold-me/ HOLD held for review
/^Subject: discard-me/ DISCARD
/^X-Prepend:/ PREPEND X-Added: yes
/^X-Replace:/ REPLACE X-Replaced: done
/^X-Ignore:/ IGNORE
/^X-Warn:/ WARN noted
/^X-Filter:/ FILTER smtp:[127.0.0.1]:10026
/^X-Redirect:/ REDIRECT elsewhere@example.net
/^X-Bcc:/ BCC auditor@example.net
CHECKS
cat >"$CONF/body_checks" <<'CHECKS'
/^replace this body line$/ REPLACE replaced body line
/^drop this body line$/ IGNORE
CHECKS
pf_master_cf "$CONF/master.cf"
sed -i '/^qmgr /d; /^pickup /d' "$CONF/master.cf"
touch -d '1 hour ago' "$CONF/main.cf"
if ! /usr/sbin/postfix -c "$CONF" start >"$WORK/start.log" 2>&1; then
  bad "Postfix instance start" "$WORK/start.log"
  finish
fi
RUNNING=$CONF
if ! "$OURS_BIN/postline" compile -c "$CONF" >"$WORK/compile.log" 2>&1; then
  bad "postline compile of the instance's configuration" "$WORK/compile.log"
  finish
fi
for _ in $(seq 1 50); do [ -S "$ROOT/queue/public/cleanup" ] && break; sleep 0.1; done

# The message file of queue id ID, wherever cleanup left it.
file_of() { find "$ROOT/queue/incoming" "$ROOT/queue/hold" -name "$1" -type f 2>/dev/null | head -n 1; }
# postcat's view with the queue id, times and the generated Message-Id masked.
view() {
  local id=$1 file
  file=$(file_of "$id")
  [ -n "$file" ] || { echo "(no file)"; return; }
  /usr/sbin/postcat -c "$CONF" "$file" 2>&1 | sed -E \
    -e "s/$id/QUEUEID/g" \
    -e 's/^(create_time|message_arrival_time): .*/\1: TIME/' \
    -e 's/^(\*\*\* ENVELOPE RECORDS ).*/\1FILE ***/' \
    -e 's/[0-9]{14}\.QUEUEID/STAMP.QUEUEID/' \
    -e 's/^(Date|Resent-Date): .*/\1: DATE/' \
    -e "s|$ROOT/queue/[a-z]+/||"
  echo "mode $(stat -c %a "$file") queue $(basename "$(dirname "$file")")"
}

# What cleanup logged about queue id ID, with the id and the process masked.
log_of() {
  grep -F "$1" "$ROOT/maillog" | sed -E -e 's/^[A-Z][a-z]{2} +[0-9]+ [0-9:]{8} [^ ]+ //' -e 's/\[[0-9]+\]:/[PID]:/' \
    -e "s/$1/QUEUEID/g" -e 's/[0-9]{14}\.QUEUEID/STAMP.QUEUEID/'
}

# run_cases PREFIX: every case once through each cleanup.
run_cases() {
  for case in "$CASES"/*.case; do
    name=$1$(basename "$case" .case)
    pf_out=$(python3 "$HERE/cleanup_feed.py" "$case" --socket "$ROOT/queue/public/cleanup" 2>&1)
    our_out=$(MAIL_CONFIG=$CONF python3 "$HERE/cleanup_feed.py" "$case" --exec "$OURS_CLEANUP" -S 2>&1)
    pf_id=$(head -n 1 <<<"$pf_out")
    our_id=$(head -n 1 <<<"$our_out")
    {
      tail -n +2 <<<"$pf_out"
      view "$pf_id"
    } >"$WORK/$name.postfix"
    {
      tail -n +2 <<<"$our_out"
      view "$our_id"
    } >"$WORK/$name.ours"
    # Short ids of files made a moment apart may differ in length (the inode number's
    # hex digits); the size record then differs by that much. Not seen in practice.
    sleep 0.2  # the log lines reach the file through postlogd
    log_of "$pf_id" >>"$WORK/$name.postfix"
    log_of "$our_id" >>"$WORK/$name.ours"
    if diff -u "$WORK/$name.postfix" "$WORK/$name.ours" >"$WORK/$name.diff"; then
      ok "$name: same status and queue file"
    else
      bad "$name: queue files differ (postfix vs ours)" "$WORK/$name.diff"
    fi
  done
}

run_cases ""
# Again with header rewriting for remote clients (rewrite_context=remote: their headers
# are rewritten and missing ones added too), a To: header for messages without
# visible recipients, a BCC of every message and delay warnings.
/usr/sbin/postconf -c "$CONF" -e remote_header_rewrite_domain=domain.invalid \
  "undisclosed_recipients_header=To: undisclosed-recipients:;" always_bcc=archive@example.net \
  delay_warning_time=4h
/usr/sbin/postfix -c "$CONF" reload >/dev/null 2>&1
sleep 1
if ! "$OURS_BIN/postline" compile -c "$CONF" >"$WORK/compile2.log" 2>&1; then
  bad "postline compile after remote_header_rewrite_domain" "$WORK/compile2.log"
  finish
fi
run_cases more-
finish
