# A private Postfix 3.7 instance for the differential routing test: its own configuration
# directory, queue, data directory, mail spool and log file under one scratch directory,
# smtpd on one loopback port, and no delivery agent that can reach another machine
# (smtp, relay, lmtp and every other remote transport are discard(8)).
# Sourced by tests/interop/trace_postfix.sh; needs root (postfix start).
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
