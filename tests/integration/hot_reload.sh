#!/usr/bin/env bash
# Hot reload of the receiving MTA: a private Postline instance (no queue manager) whose
# smtpd checks recipients against an access table (check_recipient_access hash:) and
# whose cleanup rewrites an alias through virtual_alias_maps (hash:), with a banner of
# its own. Three rounds change the table, the alias and the banner: a new generation
# switched in by `postline compile` alone, then `postfix reload`, then `postfix
# reload` with a changed master.cf line for smtpd (its processes are replaced, its
# socket kept). In each round a session A opened before the change (EHLO, MAIL, RCPT TO
# the alias, which opens smtpd's cleanup connection) must finish on the old generation
# (the old verdict for RCPT TO the probed address; cleanup's old alias target), while a session B opened after it gets the new ones (verdict,
# alias, banner) (tests/integration/reload_probe.py); a fourth round compiles three
# generations while A is open, a fifth tries to reload a configuration with an error
# (refused: the running generation stays). Meanwhile a load client
# (smtp_load.py) keeps connecting: no connection may be refused or broken, every
# message must be accepted, and every acknowledged message must be queued, complete,
# as sent (queue_check.py). Usage: tests/integration/hot_reload.sh BUILD_DIR/bin.
# PL_PORT picks the port; KEEP_WORK=1 keeps the scratch tree.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/../interop/lib.bash"
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
# shellcheck source=tests/integration/postline_instance.bash
source "$HERE/../integration/postline_instance.bash"
pl_instance_guard hot_reload
INTEGRATION=$(cd "$HERE/../integration" && pwd)
pl_require_daemons hot_reload master smtpd cleanup

ROOT=$WORK/pl
CONF=$ROOT/conf
pl_root "$ROOT"
pf_main_cf "$CONF/main.cf" "$ROOT"
cat >>"$CONF/main.cf" <<MAIN
in_flow_delay = 0
smtpd_recipient_restrictions = check_recipient_access hash:$CONF/access, permit_mynetworks, reject_unauth_destination
virtual_alias_maps = hash:$CONF/virtual
smtpd_banner = \$myhostname ESMTP round-0
MAIN
PF_PORT=$PL_PORT pf_master_cf "$CONF/master.cf"
sed -i '/^qmgr /d; /^pickup /d' "$CONF/master.cf"

# The tables of round N: the probed address is rejected with the text "verdict-N"
# (accepted in round 1), the alias goes to target-N.
tables() { # tables N
  if [ "$1" = 1 ]; then
    echo "probe@example.org OK" >"$CONF/access"
  else
    echo "probe@example.org REJECT verdict-$1" >"$CONF/access"
  fi
  echo "alias@example.org target-$1@example.org" >"$CONF/virtual"
  chown "$PL_USER" "$CONF/access" "$CONF/virtual"
}
tables 0
pl_start "$ROOT"

STOP=$WORK/stop-load
LOG=$WORK/load.log
: >"$LOG"
python3 "$INTEGRATION/smtp_load.py" "$PL_PORT" "$LOG" --sessions 3 --pause 0.05 --stop-file "$STOP" \
  --seconds 90 >"$WORK/load.out" 2>&1 &
LOAD=$!
sleep 1

# expect ROUND WHAT PATTERN: a line of the probe's output matches.
expect() {
  if grep -Eq "^$2: $3" "$WORK/probe$1.out"; then
    ok "round $1: $2 $3"
  else
    bad "round $1: $2 $3" "$WORK/probe$1.out"
  fi
}
# recipient_of ID: the recipient of queue file ID, as Postfix's postcat shows it.
recipient_of() { /usr/sbin/postcat -c "$CONF" -e -q "$1" 2>&1 | sed -n 's/^recipient: //p' | tr '\n' ' '; }
# expect_recipient ROUND SESSION TARGET: the session's message went to TARGET.
expect_recipient() {
  local id got
  id=$(sed -n "s/^$2 queued: //p" "$WORK/probe$1.out")
  got=$(recipient_of "$id")
  if [ -n "$id" ] && [[ " $got" == *" $3@example.org "* ]]; then
    ok "round $1: session $2's message (${id}) went to $3"
  else
    echo "queue id '$id', recipients: $got" >"$WORK/recipient$1$2.txt"
    bad "round $1: session $2's message went to $3" "$WORK/recipient$1$2.txt"
  fi
}
# round N OLD_REPLY NEW_REPLY COMMAND...: changes banner and tables to round N, with
# COMMAND run while session A is open.
round() {
  local n=$1 old=$2 new=$3 prev=$(($1 - 1))
  shift 3
  sed -i "s/^smtpd_banner = .*/smtpd_banner = \$myhostname ESMTP round-$n/" "$CONF/main.cf"
  tables "$n"
  if ! python3 "$INTEGRATION/reload_probe.py" "$PL_PORT" probe@example.org alias@example.org -- "$@" \
    >"$WORK/probe$n.out" 2>&1; then
    bad "round $n: the probe sessions ran" "$WORK/probe$n.out"
    return
  fi
  expect "$n" "A banner" "220 mx.example.org ESMTP round-$prev\$"
  expect "$n" "A probe" "$old"
  expect "$n" "B banner" "220 mx.example.org ESMTP round-$n\$"
  expect "$n" "B probe" "$new"
  expect_recipient "$n" A "target-$prev"
  expect_recipient "$n" B "target-$n"
}
pf=("$OURS_BIN/postfix" -c "$CONF")
if [ "$(id -u)" = 0 ]; then pf=(setpriv --reuid="$PL_USER" --regid=nogroup --clear-groups -- "${pf[@]}"); fi
compile=("$OURS_BIN/postline" compile -c "$CONF")
if [ "$(id -u)" = 0 ]; then compile=(setpriv --reuid="$PL_USER" --regid=nogroup --clear-groups -- "${compile[@]}"); fi

# Round 1: a new generation, no signal to anyone.
round 1 "554 5\.7\.1 <probe@example\.org>: Recipient address rejected: verdict-0" "250 2\.1\.5 Ok" "${compile[@]}"
# Round 2: postfix reload (compiles, then SIGHUP).
round 2 "250 2\.1\.5 Ok" "554 5\.7\.1 <probe@example\.org>: Recipient address rejected: verdict-2" "${pf[@]}" reload
# Round 3: postfix reload with smtpd's master.cf line changed: its old processes finish
# their sessions and leave, new ones take over the same socket.
master=$(pl_master_pid "$ROOT")
old_smtpd=$(ps -o pid=,args= --ppid "$master" | awk -v p="$LIBEXEC/smtpd" '$2 == p {print $1}' | sort)
sed -i "s/^127\.0\.0\.1:$PL_PORT inet n - n - - smtpd\$/& -o smtpd_client_restrictions=/" "$CONF/master.cf"
grep -q "smtpd -o smtpd_client_restrictions=" "$CONF/master.cf" || echo "hot_reload: master.cf not changed" >&2
round 3 "554 5\.7\.1 <probe@example\.org>: Recipient address rejected: verdict-2" \
  "554 5\.7\.1 <probe@example\.org>: Recipient address rejected: verdict-3" "${pf[@]}" reload
# They leave after their client (a load session lasts a second or so).
for _ in $(seq 1 100); do
  still=""
  for pid in $old_smtpd; do kill -0 "$pid" 2>/dev/null && still="$still $pid"; done
  [ -z "$still" ] && break
  sleep 0.1
done
if [ -z "$still" ]; then
  ok "round 3: the smtpd processes of the old master.cf line are gone ($(echo "$old_smtpd" | wc -w))"
else
  ps -o pid=,args= -p "${still# }" >"$WORK/still.txt" 2>&1
  bad "round 3: the smtpd processes of the old master.cf line are gone" "$WORK/still.txt"
fi
# Round 4: three generations compiled while session A is open. Compile keeps three, but
# not by removing A's own: smtpd and cleanup still hold it, and may open its tables
# only now (cleanup's first alias lookup can come after the compiles). A finishes on it.
cat >"$WORK/three_compiles.sh" <<SH
set -e
before=\$(readlink "$CONF/compiled/current")
"\$@"
echo "probe@example.org REJECT verdict-between" >"$CONF/access"
echo "alias@example.org target-between@example.org" >"$CONF/virtual"
"\$@"
echo "probe@example.org REJECT verdict-4" >"$CONF/access"
echo "alias@example.org target-4@example.org" >"$CONF/virtual"
"\$@"
if [ ! -d "$CONF/compiled/\$before" ]; then
  echo "three_compiles: \$before, still in use by session A, was removed" >&2
  exit 1
fi
SH
chmod 644 "$WORK/three_compiles.sh"
round 4 "554 5\.7\.1 <probe@example\.org>: Recipient address rejected: verdict-3" \
  "554 5\.7\.1 <probe@example\.org>: Recipient address rejected: verdict-4" bash "$WORK/three_compiles.sh" "${compile[@]}"
# Round 5: a configuration with an error is not reloaded; everything stays on round 4's
# generation (banner, verdict, alias), with the table source already changed.
cp "$CONF/main.cf" "$WORK/main.cf.good"
sed -i "s/^smtpd_banner = .*/smtpd_banner = \$myhostname ESMTP round-5/" "$CONF/main.cf"
echo "default_transport = nosuch" >>"$CONF/main.cf"
tables 5
if "${pf[@]}" reload >"$WORK/reload5.out" 2>&1; then
  bad "round 5: postfix reload refuses a configuration with errors" "$WORK/reload5.out"
elif grep -q "fatal: the configuration is not reloaded" "$WORK/reload5.out"; then
  ok "round 5: postfix reload refuses a configuration with errors"
else
  bad "round 5: postfix reload refuses a configuration with errors" "$WORK/reload5.out"
fi
if python3 "$INTEGRATION/reload_probe.py" "$PL_PORT" probe@example.org alias@example.org -- true \
  >"$WORK/probe5.out" 2>&1; then
  for session in A B; do
    expect 5 "$session banner" "220 mx.example.org ESMTP round-4\$"
    expect 5 "$session probe" "554 5\.7\.1 <probe@example\.org>: Recipient address rejected: verdict-4"
    expect_recipient 5 "$session" target-4
  done
else
  bad "round 5: the probe sessions ran" "$WORK/probe5.out"
fi
cp "$WORK/main.cf.good" "$CONF/main.cf"

if grep -q "postfix/master\[$master\]: reload -- " "$ROOT/maillog"; then
  ok "master logged its reloads"
else
  bad "master logged its reloads" "$ROOT/maillog"
fi

# The load: nothing refused, nothing broken, everything accepted and queued.
sleep 1
touch "$STOP"
for _ in $(seq 1 300); do
  kill -0 "$LOAD" 2>/dev/null || break
  sleep 0.1
done
wait "$LOAD" 2>/dev/null
cat "$WORK/load.out"
if grep -q "^load: [1-9][0-9]* queued, 0 refused replies, 0 broken sessions, 0 refused connections$" "$WORK/load.out"; then
  ok "load during the reloads: no connection refused or broken, no message refused"
else
  grep -v '^QUEUED ' "$LOG" | head -n 20 >"$WORK/load.bad"
  bad "load during the reloads: no connection refused or broken, no message refused" "$WORK/load.bad"
fi
pl_stop
if python3 "$INTEGRATION/queue_check.py" "$CONF" "$ROOT/queue" "$OURS_BIN/postcat" "$LOG" >"$WORK/check.txt" 2>&1; then
  ok "every acknowledged message is queued, complete, as sent"
else
  bad "every acknowledged message is queued, complete, as sent" "$WORK/check.txt"
fi
echo "hot_reload: $(sed -n 's/^load: //p' "$WORK/load.out"); $(grep '^queue: ' "$WORK/check.txt")"
finish
