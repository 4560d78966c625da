#!/usr/bin/env bash
# The receiving half of the MTA against the real Postfix 3.7: a private Postfix
# instance (run by root, as installed) and a private Postline instance (started by an
# ordinary user, nobody, with a spool of its own) get the same main.cf and master.cf, on
# two loopback ports, with no queue manager, so that what they accept stays queued. The
# same SMTP dialogues (tests/integration/smtp_dialogues.py) must get the same replies
# from both, and every queue file our smtpd and cleanup write must read, through
# Postfix's own postcat, as the file Postfix wrote for the same message (queue ids,
# times and sizes masked). Then swaks and Postfix's smtp-source: every message they
# send is queued, complete; pflogsumm reads both logs alike; sendmail -bs (stand-alone smtpd) answers and queues alike. Usage: tests/integration/receive.sh BUILD_DIR/bin (as root).
# PF_PORT and PL_PORT pick the ports (10733, 10734); KEEP_WORK=1 keeps the scratch tree.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/../interop/lib.bash"
PF_PORT=${PF_PORT:-10733}
PL_PORT=${PL_PORT:-10734}
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
# shellcheck source=tests/integration/postline_instance.bash
source "$HERE/../integration/postline_instance.bash"
pf_instance_guard receive
pl_instance_guard receive

# The settings both instances share: pf_main_cf's, plus restrictions and limits the
# dialogues run into.
shared_main_cf() { # shared_main_cf FILE ROOT
  pf_main_cf "$1" "$2"
  sed -i '/^smtpd_recipient_limit = /d' "$1"
  cat >>"$1" <<'MAIN'
smtpd_recipient_restrictions = check_recipient_access inline:{reject@example.org=REJECT, {defer@example.org=DEFER_IF_PERMIT Try again later}, hold@example.org=HOLD}, permit_mynetworks, reject_unauth_destination
smtpd_recipient_limit = 5
message_size_limit = 100000
smtputf8_enable = yes
smtpd_forbid_bare_newline = normalize
# No queue manager hands out in-flow tokens: Postfix's cleanup would wait 1 s per message.
in_flow_delay = 0
MAIN
}
# master.cf of both: no qmgr (mail stays in incoming) and no pickup.
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

# The dialogues, both ways.
python3 "$HERE/../integration/smtp_dialogues.py" "$PF_PORT" >"$WORK/pf.transcript" 2>"$WORK/pf.dialogue.err"
python3 "$HERE/../integration/smtp_dialogues.py" "$PL_PORT" >"$WORK/pl.transcript" 2>"$WORK/pl.dialogue.err"
cat "$WORK/pf.dialogue.err" "$WORK/pl.dialogue.err" >&2
same_files "SMTP dialogues: the same replies" "$WORK/pf.transcript" "$WORK/pl.transcript"

# sendmail -bs: smtpd stand-alone on sendmail's standard input and output.
bs_session() {
  printf 'EHLO client.example\r\nMAIL FROM:<sender@example.org>\r\nRCPT TO:<sendmail-bs@example.org>\r\n'
  printf 'DATA\r\nSubject: sendmail -bs\r\n\r\nhello\r\n.\r\nQUIT\r\n'
}
bs_session | /usr/sbin/sendmail -C "$PF_ROOT/conf" -bs 2>&1 | sed -E 's/queued as [0-9A-Za-z]+/queued as QUEUEID/' \
  >"$WORK/pf.bs"
bs_session | as_pl_user env MAIL_CONFIG="$PL_ROOT/conf" "$OURS_BIN/sendmail" -bs 2>&1 |
  sed -E 's/queued as [0-9A-Za-z]+/queued as QUEUEID/' >"$WORK/pl.bs"
same_files "sendmail -bs: the same replies" "$WORK/pf.bs" "$WORK/pl.bs"

# What pflogsumm makes of the two logs: the same message counts (received, rejected,
# held, ...) and the same rejections.
pflog_totals() { # pflog_totals MAILLOG: the grand totals and the reject details
  pflogsumm --detail 5 --problems_first "$1" 2>&1 | awk '
    /^Grand Totals/ { on = 1 } /^message deferral detail/ { on = 0 }
    /^message reject detail/ { on = 1 } /^message reject warning detail/ { on = 0 }
    on && !/bytes (received|delivered)|senders|sending hosts|^-+$/'
}
pflog_totals "$PF_ROOT/maillog" >"$WORK/pf.pflogsumm"
pflog_totals "$PL_ROOT/maillog" >"$WORK/pl.pflogsumm"
same_files "pflogsumm: the same totals and rejections" "$WORK/pf.pflogsumm" "$WORK/pl.pflogsumm"

# The queue files, paired by their first recipient, as Postfix's postcat shows them.
# settle ROOT: waits until the queue's temporary files are gone (cleanup finishing).
settle() {
  for _ in $(seq 1 50); do
    [ -z "$(find "$1/queue/incoming" "$1/queue/hold" -type f ! -perm -u+x 2>/dev/null)" ] && return
    sleep 0.1
  done
}
settle "$PF_ROOT"
settle "$PL_ROOT"
postcat_all() { # postcat_all ROOT OUTDIR: one normalized file per queued message
  local root=$1 out=$2 path id key
  mkdir -p "$out"
  while IFS= read -r path; do
    id=$(basename "$path")
    /usr/sbin/postcat -c "$root/conf" -q "$id" >"$out/raw" 2>&1
    key=$(sed -n 's/^recipient: //p' "$out/raw" | head -n 1)
    [ -n "$key" ] || key="no-recipient-$id"
    sed -E -e "s/$id/QUEUEID/g" \
      -e 's/^(message_size|message_arrival_time|create_time): .*/\1: (masked)/' \
      -e 's/(client|server)_port=[0-9]+/\1_port=PORT/' \
      -e 's/[A-Z][a-z]{2}, [ 0-9]?[0-9] [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} [-+][0-9]{4}( \([A-Z]+\))?/DATE/g' \
      -e 's/[0-9]{14}\./TIMESTAMP./g' "$out/raw" >"$out/$key"
    rm -f "$out/raw"
  done < <(find "$root/queue/incoming" "$root/queue/hold" -type f)
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

# Real clients: swaks, and smtp-source with 5 sessions of 10 messages each.
count_queued() { find "$1/queue/incoming" -type f -perm -u+x | wc -l; }
before=$(count_queued "$PL_ROOT")
if swaks --server "127.0.0.1:$PL_PORT" --from swaks@example.org --to swaks@example.org \
  --ehlo client.example --header 'Subject: swaks' >"$WORK/swaks.log" 2>&1; then
  ok "swaks: message accepted"
else
  bad "swaks: message accepted" "$WORK/swaks.log"
fi
/usr/sbin/smtp-source -s 5 -m 50 -c -f source@example.org -t sink@example.org "127.0.0.1:$PL_PORT" \
  >"$WORK/smtp-source.log" 2>&1 || bad "smtp-source ran" "$WORK/smtp-source.log"
settle "$PL_ROOT"
after=$(count_queued "$PL_ROOT")
if [ "$((after - before))" = 51 ]; then
  ok "swaks and smtp-source: 51 messages queued, complete"
else
  echo "queued $((after - before)) of 51" >"$WORK/count.txt"
  bad "swaks and smtp-source: 51 messages queued, complete" "$WORK/count.txt"
fi
# What Postfix's qshape makes of our spool (it reads every incoming file).
if qshape -c "$PL_ROOT/conf" incoming >"$WORK/qshape.txt" 2>&1 && grep -q "TOTAL" "$WORK/qshape.txt"; then
  ok "qshape reads our incoming queue"
else
  bad "qshape reads our incoming queue" "$WORK/qshape.txt"
fi

pl_stop
finish
