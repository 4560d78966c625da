#!/usr/bin/env bash
# virtual(8) and pipe(8) end to end against the real Postfix 3.7: a private Postfix
# instance (run by root, as installed; smtp and relay are discard(8), so nothing leaves
# the machine) and a private Postline instance (an ordinary user, nobody under root) get
# the same main.cf (virtual mailbox domains under virtual_mailbox_base with Maildirs, an
# mbox and a catch-all, owned by nobody through static uid/gid maps; transport_maps
# sending six domains to pipe(8) services that run /bin/sh scripts as nobody) and the
# same messages over SMTP, one at a time (the two that a command defers, with exit 75 and
# a signal, last). Then the virtual mailbox tree, every file the commands wrote (the
# message, their arguments, working directory and environment) and the delivery log lines
# must be Postfix's, with queue ids, times and the scratch directory masked.
# Usage: tests/integration/virtual_pipe.sh BUILD_DIR/bin (as root). PF_PORT and PL_PORT
# pick the ports (10780, 10781); KEEP_WORK=1 keeps the tree; PL_AS_ROOT=1 runs the
# Postline instance as root too (the agents then switch users as Postfix's do).
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/../interop/lib.bash"
PF_PORT=${PF_PORT:-10780}
PL_PORT=${PL_PORT:-10781}
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
# shellcheck source=tests/integration/postline_instance.bash
source "$HERE/../integration/postline_instance.bash"
INTEGRATION=$HERE/../integration
# PL_AS_ROOT=1: the Postline instance runs as root, as Postfix does (virtual then writes
# as the mailbox owner and pipe runs its commands as user=, from mail_owner).
if [ "${PL_AS_ROOT:-0}" = 1 ]; then
  PL_USER=root
  as_pl_user() { "$@"; }
fi
pf_instance_guard virtual_pipe
pl_instance_guard virtual_pipe
trap 'pl_stop; stop_instance
      if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi' EXIT
pl_require_daemons virtual_pipe master smtpd cleanup qmgr virtual pipe bounce discard

VUID=$(id -u nobody)
VGID=$(id -g nobody)

# vp_conf ROOT PORT: ROOT/conf as both instances have it, ROOT/vmail (the virtual
# mailbox base, nobody's) and ROOT/out (where the commands write).
vp_conf() {
  local root=$1 port=$2
  mkdir -p "$root/conf" "$root/queue" "$root/data" "$root/spool" "$root/out" "$root/vmail/vdom.example"
  pf_main_cf "$root/conf/main.cf" "$root"
  cat >>"$root/conf/main.cf" <<MAIN
recipient_delimiter = +
virtual_mailbox_domains = vdom.example, catch.example
virtual_mailbox_base = $root/vmail
virtual_mailbox_maps = texthash:$root/conf/vmailbox
virtual_uid_maps = static:$VUID
virtual_gid_maps = static:$VGID
transport_maps = texthash:$root/conf/transport
mypipe_destination_recipient_limit = 1
# Unknown virtual users reach virtual(8), which bounces them (unknown.c).
smtpd_reject_unlisted_recipient = no
MAIN
  cat >"$root/conf/vmailbox" <<'MAPS'
maildir@vdom.example  vdom.example/maildir/
mbox@vdom.example     vdom.example/mbox
@catch.example        catch/
MAPS
  cat >"$root/conf/transport" <<'MAPS'
pipe.example     mypipe:
multi.example    multipipe:
fail.example     failpipe:
dsnfail.example  dsnpipe:
tempfail.example tempfailpipe:
signal.example   signalpipe:
MAPS
  # pipe.sh OUTDIR ARGS...: the message and what the command saw, in files named after
  # its arguments; its output goes into the delivery's log line.
  cat >"$root/conf/pipe.sh" <<'SH'
out=$1
shift
name=$(printf '%s_' "$@" | tr -c 'A-Za-z0-9@.+=-' '_')
cat >"$out/$name.msg"
{
  printf 'arg: <%s>\n' "$@"
  echo "cwd: $(pwd)"
  echo "user: $(id -un) $(id -gn)"
  env | sort | sed 's/^/env: /'
} >"$out/$name.info"
echo "stored $name"
SH
  printf 'echo "no such mailbox here"\nexit 67\n' >"$root/conf/fail.sh"
  printf 'echo "5.2.2 mailbox full"\nexit 1\n' >"$root/conf/dsnfail.sh"
  printf 'echo "try again later"\nexit 75\n' >"$root/conf/tempfail.sh"
  printf 'kill -9 $$\n' >"$root/conf/signal.sh"
  PF_PORT=$port pf_master_cf "$root/conf/master.cf"
  sed -i '/^virtual /d' "$root/conf/master.cf"
  cat >>"$root/conf/master.cf" <<MASTER
virtual   unix  - n n - - virtual
mypipe    unix  - n n - - pipe flags=FRODq.> user=nobody argv=/bin/sh $root/conf/pipe.sh $root/out \${sender} \${recipient} \${original_recipient} \${nexthop} \${user} \${extension} \${domain} \${mailbox}
multipipe unix  - n n - - pipe flags=Bu user=nobody argv=/bin/sh $root/conf/pipe.sh $root/out \${sender} -- \${recipient}
failpipe  unix  - n n - - pipe user=nobody argv=/bin/sh $root/conf/fail.sh
dsnpipe   unix  - n n - - pipe user=nobody argv=/bin/sh $root/conf/dsnfail.sh
tempfailpipe unix - n n - - pipe user=nobody argv=/bin/sh $root/conf/tempfail.sh
signalpipe unix - n n - - pipe user=nobody argv=/bin/sh $root/conf/signal.sh
MASTER
  chmod 1777 "$root/out"
  chmod a+rx "$root/conf" "$root/conf"/*.sh
  chown -R "$VUID:$VGID" "$root/vmail"
}

# Postfix.
PF_ROOT=$WORK/pf
vp_conf "$PF_ROOT" "$PF_PORT"
chown postfix "$PF_ROOT/data"
touch -d '1 hour ago' "$PF_ROOT/conf/main.cf"
chmod -R a+rX "$PF_ROOT/queue"
if ! /usr/sbin/postfix -c "$PF_ROOT/conf" start >"$WORK/pf-start.log" 2>&1; then
  cat "$WORK/pf-start.log" >&2
  exit 1
fi
RUNNING=$PF_ROOT/conf

# Postline.
PL_ROOT=$WORK/pl
pl_root "$PL_ROOT"
vp_conf "$PL_ROOT" "$PL_PORT"
chown -R "$PL_USER" "$PL_ROOT"
pl_start "$PL_ROOT"
# (pl_start gives the whole tree to the instance's user.)
chown -R "$VUID:$VGID" "$PL_ROOT/vmail"

if python3 "$INTEGRATION/virtual_pipe.py" send "$PF_PORT:$PF_ROOT" "$PL_PORT:$PL_ROOT" 2>"$WORK/send.err"; then
  ok "every message accepted and every queue empty afterwards"
else
  bad "every message accepted and every queue empty afterwards" "$WORK/send.err"
fi
pl_stop
stop_instance

python3 "$INTEGRATION/virtual_pipe.py" normalize "$PF_ROOT" "$WORK/pf.out" || bad "normalize Postfix's deliveries"
python3 "$INTEGRATION/virtual_pipe.py" normalize "$PL_ROOT" "$WORK/pl.out" || bad "normalize Postline's deliveries"

# Postfix must have written what the configuration asks for, so that the comparison
# compares something.
grep -cE 'status=(sent|bounced)' "$WORK/pf.out/log.delivery" >"$WORK/pf.count"
# (The two deferred messages are returned at once: maximal_queue_lifetime is 0.)
echo 23 >"$WORK/expected.count"
same_files "Postfix's log: 16 recipients delivered or bounced, 7 notifications sent" "$WORK/expected.count" "$WORK/pf.count"

same_files "the same mailboxes and command outputs" "$WORK/pf.out/artifacts" "$WORK/pl.out/artifacts"
while IFS= read -r name; do
  case $name in
    log.delivery) what="the delivery log lines (to=, relay=, dsn=, status=; sorted)" ;;
    *) what="$name" ;;
  esac
  if [ -f "$WORK/pl.out/$name" ]; then
    same_files "$what" "$WORK/pf.out/$name" "$WORK/pl.out/$name"
  fi
done <"$WORK/pf.out/artifacts"
finish
