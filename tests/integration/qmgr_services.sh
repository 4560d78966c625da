#!/usr/bin/env bash
# The services qmgr hands mail to are the compiled generation's master.cf — the ones
# master runs — not the file beside main.cf, which may have been edited and not yet
# compiled (Postfix's qmgr connects to private/NAME, which master keeps until a reload).
# A private Postline instance sends moved.example to a second discard service
# (discard2); master.cf is then edited to drop discard2, without `postline compile`, and
# qmgr is killed so that master starts a new one: mail to moved.example must still go
# to discard2, not be deferred as "mail transport unavailable".
# Usage: tests/integration/qmgr_services.sh BUILD_DIR/bin. PL_PORT picks the port;
# KEEP_WORK=1 keeps the scratch tree.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/../interop/lib.bash"
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
# shellcheck source=tests/integration/postline_instance.bash
source "$HERE/../integration/postline_instance.bash"
pl_instance_guard qmgr_services
pl_require_daemons qmgr_services master smtpd pickup cleanup qmgr discard

ROOT=$WORK/pl
CONF=$ROOT/conf
pl_root "$ROOT"
pf_main_cf "$CONF/main.cf" "$ROOT"
cat >>"$CONF/main.cf" <<MAIN
transport_maps = inline:{moved.example=discard2:}
queue_run_delay = 1s
service_throttle_time = 1s
MAIN
PF_PORT=$PL_PORT pf_master_cf "$CONF/master.cf"
echo "discard2  unix  -       -       n       -       -       discard -o syslog_name=postfix/discard2" >>"$CONF/master.cf"
pl_start "$ROOT"

# send N: one message to x@moved.example through sendmail and pickup; waits (15 s at
# most) for its discard2 delivery in the log.
send() {
  printf 'Subject: %s\n\nbody\n' "$1" |
    as_pl_user "$OURS_BIN/sendmail" -C "$CONF" -f s@example.org "x$1@moved.example" >"$WORK/send.log" 2>&1 || return 1
  for _ in $(seq 1 150); do
    grep -q "postfix/discard2/discard\[[0-9]*\]: .*to=<x$1@moved.example>.*status=sent" "$ROOT/maillog" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
if send 1; then ok "moved.example goes to discard2"; else bad "moved.example goes to discard2" "$ROOT/maillog"; fi

sed -i '/^discard2 /d' "$CONF/master.cf"
master=$(pl_master_pid "$ROOT")
qmgr=
for pid in $(ps -o pid= --ppid "$master" 2>/dev/null); do
  [[ $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) == "$LIBEXEC/qmgr "* ]] && qmgr=$pid
done
if [ -n "$qmgr" ] && kill -9 "$qmgr"; then
  ok "qmgr ($qmgr) killed after master.cf was edited and not compiled"
else
  bad "qmgr is running under master $master" /dev/null
fi
if send 2; then
  ok "a new qmgr still hands moved.example to discard2, the generation's service"
else
  grep "x2@moved.example" "$ROOT/maillog" >"$WORK/x2.log"
  bad "a new qmgr still hands moved.example to discard2, the generation's service" "$WORK/x2.log"
fi
finish
