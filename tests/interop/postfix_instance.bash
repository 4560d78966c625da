# A private Postfix 3.7 instance for the differential tests: its own configuration
# directory, queue, data directory, mail spool and log file under one scratch directory,
# smtpd on one loopback port, and no delivery agent that can reach another machine
# (smtp, relay, lmtp and every other remote transport are discard(8)); the checks a
# script makes before it starts one, and the stop on exit. Sourced by trace_postfix.sh,
# postcat.sh, postqueue.sh, postsuper.sh and sendmail_pickup.sh; needs root.
# shellcheck shell=bash

PF_PORT=${PF_PORT:-10725}

# pf_master_cf FILE: master.cf of the instance. Every discard service logs under
# postfix/SERVICE ($service_name), so the log says which transport a recipient went to.
pf_master_cf() {
  cat >"$1" <<MASTER
127.0.0.1:$PF_PORT inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
proxywrite unix - - n - 1 proxymap
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
local     unix  - n n - - local
smtp      unix  - - n - - discard -o syslog_name=postfix/\$service_name
relay     unix  - - n - - discard -o syslog_name=postfix/\$service_name
lmtp      unix  - - n - - discard -o syslog_name=postfix/\$service_name
virtual   unix  - n n - - discard -o syslog_name=postfix/\$service_name
MASTER
}

# pf_main_cf FILE ROOT: the settings every configuration shares; a configuration's own
# main.cf is appended (later lines win).
pf_main_cf() {
  local f=$1 root=$2
  cat >"$f" <<MAIN
compatibility_level = 3.6
queue_directory = $root/queue
data_directory = $root/data
mail_spool_directory = $root/spool
maillog_file = $root/maillog
maillog_file_prefixes = $root
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.example.org
mydomain = example.org
mynetworks = 127.0.0.0/8
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
biff = no
forward_path =
alias_maps =
alias_database =
maximal_queue_lifetime = 0
bounce_queue_lifetime = 0
delay_warning_time = 0
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 10000
smtpd_hard_error_limit = 10000
smtpd_recipient_limit = 10000
notify_classes =
MAIN
}

# RUNNING: the configuration directory of the instance that is running, if any.
RUNNING=
# stop_instance: stops it and waits (10 s at most) until its master process, found by
# the pid file in its queue directory, has exited: "postfix stop" does not wait, and
# nothing of an instance may outlive the script or meet the next start.
stop_instance() {
  [ -n "$RUNNING" ] || return 0
  local queue pid
  queue=$(/usr/sbin/postconf -c "$RUNNING" -h queue_directory 2>/dev/null)
  pid=$(tr -d ' ' <"$queue/pid/master.pid" 2>/dev/null)
  /usr/sbin/postfix -c "$RUNNING" stop >/dev/null 2>&1 || true
  RUNNING=
  local tries=0
  while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && ((tries++ < 100)); do
    sleep 0.1
  done
}

# pf_instance_guard NAME: what a script that starts an instance checks and arranges
# first: it runs as root, PF_PORT is free, and on any exit the running instance is
# stopped and the scratch directory removed (KEEP_WORK=1 keeps it for a look).
pf_instance_guard() {
  local name=$1
  if [ "$(id -u)" != 0 ]; then
    echo "$name: must run as root (it starts a private Postfix instance)" >&2
    exit 1
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$PF_PORT") 2>/dev/null; then
    echo "$name: 127.0.0.1:$PF_PORT is in use; set PF_PORT to a free port" >&2
    exit 1
  fi
  trap 'stop_instance; if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi' EXIT
  trap 'exit 130' INT TERM
}

# pf_private ROOT: the directories of a private instance under ROOT (conf, queue, data
# owned by postfix, spool open to every user, as a mail spool directory is).
pf_private() {
  mkdir -p "$1/conf" "$1/queue" "$1/data" "$1/spool"
  chown postfix "$1/data"
  chmod 1777 "$1/spool"
}
# pf_private_start ROOT: starts the instance whose main.cf and master.cf are written
# under ROOT/conf (RUNNING is set, so that it is stopped on exit); the start's output
# goes to stderr and the script ends when it fails.
pf_private_start() {
  touch -d '1 hour ago' "$1/conf/main.cf"
  chmod -R a+rX "$1"
  if ! /usr/sbin/postfix -c "$1/conf" start >"$WORK/pf-start.log" 2>&1; then
    cat "$WORK/pf-start.log" >&2
    exit 1
  fi
  RUNNING=$1/conf
}
