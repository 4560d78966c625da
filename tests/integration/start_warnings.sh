#!/usr/bin/env bash
# What `postfix start` says about the configuration before it starts master: the SMTP
# smuggling exposure (CVE-2023-51764) of an smtpd that other machines reach with
# smtpd_forbid_bare_newline left at 3.7's default, on stderr and in the mail log; and
# nothing when smtpd_forbid_bare_newline = normalize. The exposed smtpd here is the pass
# service behind postscreen, which Postline does not run yet: nothing listens anywhere
# but on 127.0.0.1. Usage: tests/integration/start_warnings.sh BUILD_DIR/bin
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/../interop/lib.bash"
PL_PORT=${PL_PORT:-10738}
# shellcheck source=tests/integration/postline_instance.bash
source "$HERE/../integration/postline_instance.bash"
pl_instance_guard start_warnings

ROOT=$WORK/pl
pl_root "$ROOT"
write_conf() { # write_conf FORBID_BARE_NEWLINE
  cat >"$ROOT/conf/main.cf" <<MAIN
compatibility_level = 3.6
queue_directory = $ROOT/queue
data_directory = $ROOT/data
maillog_file = $ROOT/maillog
maillog_file_prefixes = $ROOT
myhostname = mx.example.org
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
smtpd_forbid_bare_newline = $1
MAIN
  cat >"$ROOT/conf/master.cf" <<MASTER
127.0.0.1:$PL_PORT inet n - n - - smtpd
smtpd     pass  -       -       n       -       -       smtpd
cleanup   unix  n - n - 0 cleanup
smtp      unix  - - n - - smtp
local     unix  - n n - - local
MASTER
}

write_conf no
pl_start "$ROOT"
pl_stop
expected="main.cf:10: service smtpd/pass: smtpd_forbid_bare_newline = no: a bare newline ends a line in DATA"
if grep -q "postfix-script: warning: .*$expected" "$WORK/pl-start.log" &&
  grep -q "postfix-script\[[0-9]*\]: warning: .*$expected" "$ROOT/maillog"; then
  ok "start warns of the smuggling exposure, on stderr and in the log"
else
  cat "$WORK/pl-start.log" "$ROOT/maillog" >"$WORK/warn.txt"
  bad "start warns of the smuggling exposure, on stderr and in the log" "$WORK/warn.txt"
fi

write_conf normalize
: >"$ROOT/maillog"
pl_start "$ROOT"
pl_stop
if ! grep -q "smtpd_forbid_bare_newline" "$WORK/pl-start.log" "$ROOT/maillog"; then
  ok "normalize: no warning"
else
  cat "$WORK/pl-start.log" "$ROOT/maillog" >"$WORK/warn.txt"
  bad "normalize: no warning" "$WORK/warn.txt"
fi
finish
