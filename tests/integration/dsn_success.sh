#!/usr/bin/env bash
# DSN success notifications end to end, side by side with the real Postfix 3.7: a private
# Postfix instance (run by root; smtp, relay and lmtp are discard) and a private Postline
# instance get the same main.cf (local delivery to mbox files, an alias) and the same
# messages (dsn_success.py): RCPT TO ... NOTIFY=SUCCESS to a mailbox (with ORCPT and
# ENVID), to an alias, a recipient that asked for FAILURE only, a message from the null
# sender, one where nobody asked. The sender's mailbox must then hold one "Successful
# Mail Delivery Report" whose message/delivery-status part says Action: delivered for
# the mailbox and Action: expanded for the alias, and whose structure (MIME tree, every
# field, the text) is Postfix's with queue ids and dates masked; the trace service's log
# lines must be Postfix's, and no trace log may be left in either spool. Then `sendmail
# -bv` for a user, an alias, an unknown user and a remote address: nothing delivered, the
# "Mail Delivery Status Report" (deliverable, undeliverable) and the agents' log lines
# are Postfix's.
# Usage: tests/integration/dsn_success.sh BUILD_DIR/bin (as root). PF_PORT and PL_PORT
# pick the ports (10794, 10795); KEEP_WORK=1 keeps the tree.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/../interop/lib.bash"
PF_PORT=${PF_PORT:-10794}
PL_PORT=${PL_PORT:-10795}
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
# shellcheck source=tests/integration/postline_instance.bash
source "$HERE/../integration/postline_instance.bash"
INTEGRATION=$HERE/../integration
pf_instance_guard dsn_success
pl_instance_guard dsn_success
trap 'pl_stop; stop_instance
      if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi' EXIT

# dsn_conf ROOT PORT: the configuration both instances get.
dsn_conf() {
  local root=$1 port=$2
  mkdir -p "$root/conf" "$root/queue" "$root/data" "$root/spool"
  pf_main_cf "$root/conf/main.cf" "$root"
  sed -i '/^alias_maps *=/d; /^alias_database *=/d' "$root/conf/main.cf"
  cat >>"$root/conf/main.cf" <<'MAIN'
mydestination = $myhostname, dsn.example
local_recipient_maps =
alias_maps = hash:$config_directory/aliases
alias_database = hash:$config_directory/aliases
home_mailbox =
MAIN
  printf 'staff: bin\n' >"$root/conf/aliases"
  PF_PORT=$port pf_master_cf "$root/conf/master.cf"
  chmod 1777 "$root/spool"
}

# Postfix.
PF_ROOT=$WORK/pf
dsn_conf "$PF_ROOT" "$PF_PORT"
chown postfix "$PF_ROOT/data"
touch -d '1 hour ago' "$PF_ROOT/conf/main.cf"
chmod -R a+rX "$PF_ROOT/conf" "$PF_ROOT/queue"
/usr/sbin/postalias -c "$PF_ROOT/conf" "hash:$PF_ROOT/conf/aliases" || exit 1
if ! /usr/sbin/postfix -c "$PF_ROOT/conf" start >"$WORK/pf-start.log" 2>&1; then
  cat "$WORK/pf-start.log" >&2
  exit 1
fi
RUNNING=$PF_ROOT/conf

# Postline.
PL_ROOT=$WORK/pl
pl_root "$PL_ROOT"
dsn_conf "$PL_ROOT" "$PL_PORT"
chown -R "$PL_USER" "$PL_ROOT"
as_pl_user "$OURS_BIN/postalias" -c "$PL_ROOT/conf" "hash:$PL_ROOT/conf/aliases" || exit 1
pl_start "$PL_ROOT"

if python3 "$INTEGRATION/dsn_success.py" send "$PF_PORT:$PF_ROOT" "$PL_PORT:$PL_ROOT" 2>"$WORK/send.err"; then
  ok "every message accepted and both queues empty afterwards"
else
  bad "every message accepted and both queues empty afterwards" "$WORK/send.err"
fi

python3 "$INTEGRATION/dsn_success.py" report "$PF_ROOT" sys >"$WORK/pf.report"
python3 "$INTEGRATION/dsn_success.py" report "$PL_ROOT" sys >"$WORK/pl.report"

# What Postline's report must say, whatever Postfix says.
check_report() { # check_report NAME PATTERN: a line of the report matches
  if grep -qE -- "$2" "$WORK/pl.report"; then ok "$1"; else bad "$1" "$WORK/pl.report"; fi
}
reports=$(grep -c '^--$' "$WORK/pl.report")
if [ "$reports" = 1 ]; then
  ok "the sender got one report (none for the null sender, none when nobody asked)"
else
  bad "the sender got one report (none for the null sender, none when nobody asked): $reports" "$WORK/pl.report"
fi
check_report "its subject is the success template's" '^header Subject: Successful Mail Delivery Report$'
check_report "it is a multipart/report with a message/delivery-status part" \
  '^  part message/delivery-status'
check_report "the mailbox recipient: Action: delivered" '^      Action: delivered$'
check_report "the alias: Action: expanded" '^      Action: expanded$'
check_report "ORCPT is the Original-Recipient" '^      Original-Recipient: rfc822;Nobody@dsn.example$'
check_report "ENVID is the Original-Envelope-Id" '^      Original-Envelope-Id: env-1$'
if grep -q 'bin@dsn.example' "$WORK/pl.report"; then
  bad "a recipient that asked for FAILURE only is not in it" "$WORK/pl.report"
else
  ok "a recipient that asked for FAILURE only is not in it"
fi
same_files "the report's structure, fields and text are Postfix's" "$WORK/pf.report" "$WORK/pl.report"

# The trace service's lines, queue ids masked.
trace_lines() {
  sed -nE 's/^.*postfix\/(bounce|trace)\[[0-9]+\]: [0-9A-Za-z]+: (sender delivery status notification|not sending trace)(.*)$/\2\3/p' \
    "$1/maillog" | sed -E 's/notification: [0-9A-Za-z]+$/notification: QID/' | sort
}
trace_lines "$PF_ROOT" >"$WORK/pf.trace"
trace_lines "$PL_ROOT" >"$WORK/pl.trace"
if [ -s "$WORK/pf.trace" ]; then
  same_files "the trace service logs what Postfix's does" "$WORK/pf.trace" "$WORK/pl.trace"
else
  bad "Postfix's trace service logged its notices" "$PF_ROOT/maillog"
fi
for u in nobody bin; do cp "$PL_ROOT/spool/$u" "$WORK/pl.$u.before" 2>/dev/null || : >"$WORK/pl.$u.before"; done
# sendmail -bv: the same addresses verified by both (a user, an alias, an unknown user,
# a remote address whose transport is discard); nothing is delivered, and the sender
# gets a "Mail Delivery Status Report" with each would-be outcome. Postfix's sendmail
# runs as root (its set-group-id postdrop takes a private configuration from root
# only), ours as the instance's user: the Received: line's "from userid N" is masked.
BV=(-bv -f sys@dsn.example nobody@dsn.example staff@dsn.example nosuch@dsn.example friend@remote.example)
MAIL_CONFIG=$PF_ROOT/conf /usr/sbin/sendmail "${BV[@]}" >"$WORK/pf-bv.out" 2>&1
echo "exit $?" >>"$WORK/pf-bv.out"
as_pl_user env MAIL_CONFIG="$PL_ROOT/conf" "$OURS_BIN/sendmail" "${BV[@]}" >"$WORK/pl-bv.out" 2>&1
echo "exit $?" >>"$WORK/pl-bv.out"
same_files "sendmail -bv says what Postfix's says" "$WORK/pf-bv.out" "$WORK/pl-bv.out"
if python3 "$INTEGRATION/dsn_success.py" wait "$PF_ROOT" "$PL_ROOT" 2>"$WORK/wait.err"; then
  ok "sendmail -bv: both queues empty afterwards"
else
  bad "sendmail -bv: both queues empty afterwards" "$WORK/wait.err"
fi
python3 "$INTEGRATION/dsn_success.py" report "$PF_ROOT" sys | sed -E 's/from userid [0-9]+/from userid UID/' \
  >"$WORK/pf.report2"
python3 "$INTEGRATION/dsn_success.py" report "$PL_ROOT" sys | sed -E 's/from userid [0-9]+/from userid UID/' \
  >"$WORK/pl.report2"
sed -n '/^header Subject: Mail Delivery Status Report$/,/^--$/p' "$WORK/pl.report2" >"$WORK/pl.verify"
if grep -q 'Action: deliverable' "$WORK/pl.verify" && grep -q 'Action: undeliverable' "$WORK/pl.verify"; then
  ok "sendmail -bv: the verify report says deliverable and undeliverable"
else
  bad "sendmail -bv: the verify report says deliverable and undeliverable" "$WORK/pl.report2"
fi
same_files "sendmail -bv: the reports are Postfix's" "$WORK/pf.report2" "$WORK/pl.report2"
# The agents' log lines for the probe: status=deliverable and undeliverable.
verify_lines() {
  grep -E 'status=(un)?deliverable' "$1/maillog" |
    sed -E 's/^.*(postfix\/[a-z/]+)\[[0-9]+\]: [0-9A-Za-z]+: /\1: /; s/delay=[^ ]+ delays=[^ ]+ //' | sort
}
verify_lines "$PF_ROOT" >"$WORK/pf.verify.log"
verify_lines "$PL_ROOT" >"$WORK/pl.verify.log"
if [ -s "$WORK/pf.verify.log" ]; then
  same_files "sendmail -bv: the agents log what Postfix's do" "$WORK/pf.verify.log" "$WORK/pl.verify.log"
else
  bad "Postfix's agents logged the probe" "$PF_ROOT/maillog"
fi
for u in nobody bin; do
  if cmp -s "$PL_ROOT/spool/$u" "$WORK/pl.$u.before"; then
    ok "sendmail -bv: nothing delivered to $u"
  else
    bad "sendmail -bv: nothing delivered to $u"
  fi
done

left=$(find "$PL_ROOT/queue/trace" "$PF_ROOT/queue/trace" -type f 2>/dev/null | wc -l)
if [ "$left" = 0 ]; then ok "no trace log is left in either spool"; else bad "no trace log is left: $left"; fi

finish
