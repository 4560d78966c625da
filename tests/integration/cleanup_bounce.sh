#!/usr/bin/env bash
# cleanup's bounce of locally submitted mail it rejects (cleanup_bounce.c), against
# the real Postfix 3.7: a private Postfix instance and a private Postline instance,
# both with a header_checks REJECT rule, get the same message through their own
# sendmail. pickup hands it to cleanup with CLEANUP_FLAG_BOUNCE, so cleanup does not
# refuse it: it records the recipient as bounced and has the bounce service return the
# message to its sender. Then both maildrops and queues must be empty, both logs must
# hold the same bounce line (delays masked), and the sender's mailbox on each side one
# non-delivery report with the same delivery-status fields and the returned headers.
# A second message nests multiparts deeper than mime_nesting_limit (2): with
# header_checks on, cleanup logs the MIME error and bounces it with 5.6.0.
# Usage: tests/integration/cleanup_bounce.sh BUILD_DIR/bin (as root).
# PF_PORT and PL_PORT pick the ports (10756, 10757); KEEP_WORK=1 keeps the scratch tree.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/../interop/lib.bash"
PF_PORT=${PF_PORT:-10756}
PL_PORT=${PL_PORT:-10757}
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
# shellcheck source=tests/integration/postline_instance.bash
source "$HERE/../integration/postline_instance.bash"
pf_instance_guard cleanup_bounce
pl_instance_guard cleanup_bounce
pl_require_daemons cleanup_bounce master smtpd cleanup pickup qmgr local bounce

shared_main_cf() { # shared_main_cf FILE ROOT
  pf_main_cf "$1" "$2"
  cat >>"$1" <<'MAIN'
mydestination = $myhostname
header_checks = regexp:{ {/^Subject: bad/ REJECT no bad subjects here} }
mime_nesting_limit = 2
MAIN
}

PF_ROOT=$WORK/pf
pf_private "$PF_ROOT"
shared_main_cf "$PF_ROOT/conf/main.cf" "$PF_ROOT"
pf_master_cf "$PF_ROOT/conf/master.cf"
pf_private_start "$PF_ROOT"

PL_ROOT=$WORK/pl
pl_root "$PL_ROOT"
shared_main_cf "$PL_ROOT/conf/main.cf" "$PL_ROOT"
PF_PORT=$PL_PORT pf_master_cf "$PL_ROOT/conf/master.cf"
pl_start "$PL_ROOT"

# The same message through each side's sendmail, from nobody to daemon.
message() { printf 'Subject: bad thing\nFrom: nobody@mx.example.org\n\nbody\n'; }
# (Postfix's sendmail as root: an ordinary user's would read /etc/postfix/main.cf first
# to allow the other configuration directory, and there may be none.)
message | /usr/sbin/sendmail -C "$PF_ROOT/conf" -f nobody@mx.example.org daemon@mx.example.org
message | as_pl_user "$OURS_BIN/sendmail" -C "$PL_ROOT/conf" -f nobody@mx.example.org daemon@mx.example.org
nested() {
  printf 'Subject: nested\nFrom: nobody@mx.example.org\nMIME-Version: 1.0\n'
  local level
  for level in 1 2 3 4 5 6; do printf 'Content-Type: multipart/mixed; boundary="b%s"\n\n--b%s\n' "$level" "$level"; done
  printf '\ndeep\n'
}
nested | /usr/sbin/sendmail -C "$PF_ROOT/conf" -f nobody@mx.example.org daemon@mx.example.org
nested | as_pl_user "$OURS_BIN/sendmail" -C "$PL_ROOT/conf" -f nobody@mx.example.org daemon@mx.example.org
# Each side's two reports land in nobody's mailbox (at most 30 s).
reports() { grep -c '^From MAILER-DAEMON' "$1" 2>/dev/null; }
for _ in $(seq 1 300); do
  [ "$(reports "$PF_ROOT/spool/nobody")" = 2 ] && [ "$(reports "$PL_ROOT/spool/nobody")" = 2 ] && break
  sleep 0.1
done
sleep 1
stop_instance
pl_stop

left() { find "$1/queue/maildrop" "$1/queue/incoming" "$1/queue/active" "$1/queue/deferred" "$1/queue/hold" -type f 2>/dev/null; }
if [ -z "$(left "$PF_ROOT")" ] && [ -z "$(left "$PL_ROOT")" ]; then
  ok "nothing left in either maildrop or queue"
else
  { echo "postfix:"; left "$PF_ROOT"; echo "postline:"; left "$PL_ROOT"; } >"$WORK/left.txt"
  bad "nothing left in either maildrop or queue" "$WORK/left.txt"
fi
# The bounce line, the non-delivery notification line and cleanup's reject line.
lines() {
  grep -oE 'postfix/(cleanup|bounce)\[[0-9]+\]: [0-9A-F]+: (reject: .*|to=<.*|sender non-delivery notification: .*)' "$1" |
    sed -E 's/\[[0-9]+\]//; s/[0-9A-F]{8,}/QID/g; s/delay=[0-9.]+, delays=[0-9.\/]+/delay=D, delays=D/'
}
lines "$PF_ROOT/maillog" >"$WORK/pf-log.txt"
lines "$PL_ROOT/maillog" >"$WORK/pl-log.txt"
if [ -s "$WORK/pf-log.txt" ] && diff -u "$WORK/pf-log.txt" "$WORK/pl-log.txt" >"$WORK/log.diff"; then
  ok "cleanup's reject and bounce lines and bounce's notification line as Postfix's"
else
  cat "$WORK/pf-log.txt" >>"$WORK/log.diff"
  bad "cleanup's reject and bounce lines and bounce's notification line as Postfix's" "$WORK/log.diff"
fi
# The reports, as Python's email module reads them.
report() {
  python3 - "$1" <<'PY'
import email, mailbox, sys
for m in mailbox.mbox(sys.argv[1]):
    print("Subject:", m["Subject"], "| From:", m["From"], "| To:", m["To"])
    for part in m.walk():
        ct = part.get_content_type()
        print("part", ct)
        if ct == "message/delivery-status":
            for block in part.get_payload():
                for k in ("Reporting-MTA", "X-Postfix-Sender", "Final-Recipient", "Original-Recipient", "Action",
                          "Status", "Remote-MTA", "Diagnostic-Code"):
                    if block[k]:
                        print(" ", k + ":", block[k])
        if ct == "text/rfc822-headers":
            text = part.get_payload() if isinstance(part.get_payload(), str) else str(part.get_payload()[0])
            for line in text.splitlines():
                if line.startswith(("Subject:", "From:", "To:")):
                    print("  returned", line)
PY
}
report "$PF_ROOT/spool/nobody" >"$WORK/pf-report.txt" 2>&1
report "$PL_ROOT/spool/nobody" >"$WORK/pl-report.txt" 2>&1
if grep -q "Status: 5.7.1" "$WORK/pf-report.txt" && grep -q "Status: 5.6.0" "$WORK/pf-report.txt" && diff -u "$WORK/pf-report.txt" "$WORK/pl-report.txt" >"$WORK/report.diff"; then
  ok "the sender gets the same non-delivery report (delivery-status fields, returned headers)"
else
  cat "$WORK/pf-report.txt" >>"$WORK/report.diff"
  bad "the sender gets the same non-delivery report (delivery-status fields, returned headers)" "$WORK/report.diff"
fi
finish
