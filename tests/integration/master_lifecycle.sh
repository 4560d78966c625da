#!/bin/bash
# master(8) and postfix(1) end to end on 127.0.0.1 in a temporary directory: start
# (compiling the configuration), status, a second master refused, services spawned on
# demand (cleanup's UNIX-domain socket, smtpd's port when smtpd is built), a killed
# process replaced, a service whose process fails at start-up throttled, reload (a
# new generation; unchanged listeners stay), stop, and a master stopped by its pid.
# Runs as the invoking user; run as root, it runs once as root (mail_owner postfix,
# when that account exists) and once more as nobody, an ordinary user's spool.
# Usage: master_lifecycle.sh BUILD_DIR/bin
set -u
BIN=$(cd "${1:?usage: master_lifecycle.sh BUILD_DIR/bin}" && pwd)
LIBEXEC=$(cd "$BIN/../libexec" && pwd)
SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then echo "ok: $what"; else fail "$what"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# talk_unix PATH: the first bytes a UNIX-domain service sends on connect.
talk_unix() {
  python3 - "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
print(repr(s.recv(200)))
PY
}

# smtp_banner PORT: the greeting line of the SMTP server on 127.0.0.1:PORT.
smtp_banner() {
  python3 - "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
f = s.makefile("rb")
print(f.readline().decode().rstrip())
s.sendall(b"QUIT\r\n")
print(f.readline().decode().rstrip())
PY
}

children_of() { ps -o pid= --ppid "$1" | tr -d ' '; }
child_running() { ps -o args= --ppid "$1" | grep -q -- "$2"; }

wait_for() {  # wait_for SECONDS COMMAND...: true once COMMAND succeeds
  local limit=$(($1 * 10))
  shift
  for ((i = 0; i < limit; i++)); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

lifecycle() {
  local dir owner port conf pf
  dir=$(mktemp -d /tmp/master_lifecycle.XXXXXX)
  chmod 755 "$dir"
  conf=$dir/conf
  mkdir "$conf"
  port=$(free_port)
  owner=$(id -un)
  local extra=""
  if [ "$(id -u)" = 0 ] && id postfix >/dev/null 2>&1; then
    owner=postfix
  elif [ "$(id -u)" != 0 ]; then
    extra="setgid_group = $(id -gn)"
  fi
  cat >"$conf/main.cf" <<MAIN
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_spool_directory = $dir/spool
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
mail_owner = $owner
$extra
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.example.org
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
smtpd_peername_lookup = no
service_throttle_time = 60s
virtual_alias_maps = hash:$conf/virtual
MAIN
  echo "info@example.org postmaster@example.org" >"$conf/virtual"
  cat >"$conf/master.cf" <<MASTER
127.0.0.1:$port inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
local     unix  - n n - - local
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
broken    unix  n - n - 1 cleanup -x
wake      unix  n - n 1 1 cleanup
later     unix  n - n 1? 1 cleanup
MASTER
  pf() { "$BIN/postfix" -c "$conf" "$@"; }
  echo "== as $(id -un) (mail_owner $owner) in $dir"

  out=$(pf status 2>&1)
  check "status before start exits 1" test $? = 1
  check "status says not running" grep -q "^postfix/postfix-script: the Postfix mail system is not running$" <<<"$out"

  out=$(pf start 2>&1)
  rc=$?
  check "start exits 0" test $rc = 0
  [ $rc = 0 ] || echo "$out" >&2
  check "start says starting" grep -q "^postfix/postfix-script: starting the Postfix mail system$" <<<"$out"
  check "start compiled a generation" test -L "$conf/compiled/current"
  check "log: daemon started" grep -q "postfix/master\[[0-9]*\]: daemon started -- version .*, configuration $conf\$" "$dir/maillog"
  for d in active bounce corrupt defer deferred flush hold incoming maildrop pid private public saved trace; do
    [ -d "$dir/queue/$d" ] || fail "queue directory $d missing"
  done
  check "maildrop mode 730" test "$(stat -c %a "$dir/queue/maildrop")" = 730
  check "public mode 710" test "$(stat -c %a "$dir/queue/public")" = 710

  master=$(awk '{print $1; exit}' "$dir/queue/pid/master.pid")
  check "pid file names a live master" kill -0 "$master"
  check "data_directory lock holds the pid" test "$(awk '{print $1}' "$dir/data/master.lock")" = "$master"
  out=$(pf status 2>&1)
  check "status exits 0" test $? = 0
  check "status names the pid" grep -q "^postfix/postfix-script: the Postfix mail system is running: PID: $master\$" <<<"$out"

  out=$(pf start 2>&1)
  check "second start exits 1" test $? = 1
  check "second start: already running" grep -q "fatal: the Postfix mail system is already running" <<<"$out"
  "$LIBEXEC/master" -c "$conf" -w 2>/dev/null
  check "a second master exits 1" test $? = 1
  check "the second master could not lock" grep -q "fatal: open lock file pid/master.pid: unable to set exclusive lock" "$dir/maillog"
  check "the first master still runs" kill -0 "$master"

  # A service whose work every Postline daemon does itself (trivial-rewrite here; also
  # proxymap and postlogd) starts no process, with a line that says so and no warning.
  if ! grep -q "master.cf, line [0-9]*: service rewrite/unix: Postline's daemons do trivial-rewrite's work themselves" \
    "$dir/maillog" || grep -q 'Postline has no program "trivial-rewrite"' "$dir/maillog"; then
    fail "no in-process note (or a warning) for trivial-rewrite"
  fi
  # Services whose program is not in libexec are disabled, with a warning naming them;
  # those whose program is there are not.
  for program in qmgr bounce verify flush showq error discard local smtp pickup smtpd; do
    if [ ! -x "$LIBEXEC/$program" ]; then
      grep -q "warning: $conf/master.cf, line [0-9]*: service [^ ]*: Postline has no program \"$program\"" "$dir/maillog" ||
        fail "no warning for the missing program $program"
    elif grep -q "Postline has no program \"$program\"" "$dir/maillog"; then
      fail "a warning that $program is missing, but $LIBEXEC/$program exists"
    fi
  done

  # What master found at start (a program being rebuilt meanwhile does not matter).
  have_cleanup=1 have_smtpd=1
  grep -q 'Postline has no program "cleanup"' "$dir/maillog" && have_cleanup=0
  grep -q 'Postline has no program "smtpd"' "$dir/maillog" && have_smtpd=0

  if [ $have_cleanup = 1 ]; then
    check "cleanup socket in public/ (private = n)" test -S "$dir/queue/public/cleanup"
    check "cleanup socket mode 666" test "$(stat -c %a "$dir/queue/public/cleanup")" = 666
    out=$(talk_unix "$dir/queue/public/cleanup")
    check "a cleanup process answers on demand" grep -q "cleanup_protocol" <<<"$out"
    check "master runs cleanup" wait_for 5 child_running "$master" "/cleanup -z -t unix"
    old=$(ps -o pid=,args= --ppid "$master" | awk '/cleanup -z/ {print $1; exit}')
    kill -9 "$old"
    check "the killed process is logged" wait_for 5 grep -q "warning: process $LIBEXEC/cleanup pid $old killed by signal 9" "$dir/maillog"
    out=$(talk_unix "$dir/queue/public/cleanup")
    check "a new cleanup process answers" grep -q "cleanup_protocol" <<<"$out"
    new=$(ps -o pid=,args= --ppid "$master" | awk '/cleanup -z/ {print $1; exit}')
    check "it is another process" test -n "$new" -a "$new" != "$old"

    # Wakeup timers: master triggers the service itself ('?': only once it was used).
    check "a wakeup timer starts its service" wait_for 5 child_running "$master" "-n wake -t unix"
    check "a conditional timer waits for a first use" bash -c "! ps -o args= --ppid $master | grep -q -- '-n later '"

    # A process that dies before serving anyone throttles its service.
    talk_unix "$dir/queue/public/broken" >/dev/null 2>&1
    check "a bad start-up throttles the service" wait_for 5 grep -q "warning: $LIBEXEC/cleanup: bad command startup -- throttling" "$dir/maillog"
    check "the process's own fatal is logged" grep -q "postfix/cleanup\[[0-9]*\]: fatal: invalid option: x" "$dir/maillog"
  else
    echo "skip: cleanup is not built: on-demand processes, restart and throttling not checked"
  fi

  if [ $have_smtpd = 1 ]; then
    out=$(smtp_banner "$port")
    check "smtpd answers on 127.0.0.1:$port" grep -q "^220 mx.example.org" <<<"$out"
  else
    echo "skip: smtpd is not built: the SMTP port is not checked"
  fi

  # Reload: main.cf changed -> compiled into a new generation, master re-reads it.
  sed -i 's/^myhostname = .*/myhostname = mx2.example.org/' "$conf/main.cf"
  gen_before=$(readlink "$conf/compiled/current")
  inode_before=$(stat -c %i "$dir/queue/public/cleanup" 2>/dev/null)
  cleanup_before=$(ps -o pid=,args= --ppid "$master" | awk '/cleanup -z/ {print $1; exit}')
  out=$(pf reload 2>&1)
  check "reload exits 0" test $? = 0
  check "reload says refreshing" grep -q "^postfix/postfix-script: refreshing the Postfix mail system$" <<<"$out"
  check "reload compiled a new generation" test "$(readlink "$conf/compiled/current")" != "$gen_before"
  check "log: reload" wait_for 5 grep -q "postfix/master\[$master\]: reload -- version .*, configuration $conf\$" "$dir/maillog"
  if [ $have_cleanup = 1 ]; then
    check "an unchanged listener is kept" test "$(stat -c %i "$dir/queue/public/cleanup")" = "$inode_before"
    check "an unchanged service keeps its process" kill -0 "$cleanup_before"
    check "cleanup still answers" grep -q "cleanup_protocol" <<<"$(talk_unix "$dir/queue/public/cleanup")"
  fi
  if [ $have_smtpd = 1 ]; then
    out=$(smtp_banner "$port")
    check "smtpd uses the new generation" grep -q "^220 mx2.example.org" <<<"$out"
  fi
  # A changed master.cf entry: its old processes leave after their client.
  if [ $have_cleanup = 1 ]; then
    before=$(ps -o pid=,args= --ppid "$master" | awk '/cleanup -z/ {print $1; exit}')
    wake_before=$(ps -o pid=,args= --ppid "$master" | awk '/-n wake / {print $1; exit}')
    sed -i 's/^cleanup   unix  n - n - 0 cleanup$/cleanup   unix  n - n - 0 cleanup -o cleanup_replace_stray_cr_lf=yes/' "$conf/master.cf"
    sed -i '1i # a comment: every line below moves' "$conf/master.cf"
    pf reload >/dev/null 2>&1
    check "the old cleanup process exits" wait_for 5 bash -c "! kill -0 $before 2>/dev/null"
    check "the changed cleanup answers" grep -q "cleanup_protocol" <<<"$(talk_unix "$dir/queue/public/cleanup")"
    check "with its new arguments" wait_for 5 child_running "$master" "cleanup_replace_stray_cr_lf=yes"
    check "a service whose line only moved keeps its process" kill -0 "$wake_before"
  fi

  out=$(pf stop 2>&1)
  check "stop exits 0" test $? = 0
  check "stop says stopping" grep -q "^postfix/postfix-script: stopping the Postfix mail system$" <<<"$out"
  check "master is gone" wait_for 5 bash -c "! kill -0 $master 2>/dev/null"
  check "log: terminating on signal 15" grep -q "postfix/master\[$master\]: terminating on signal 15" "$dir/maillog"
  out=$(pf status 2>&1)
  check "status after stop exits 1" test $? = 1
  out=$(pf stop 2>&1)
  check "stop when stopped exits 1" test $? = 1
  check "stop when stopped: not running" grep -q "fatal: the Postfix mail system is not running" <<<"$out"

  # Started again: nothing changed, nothing compiled; stopped by its pid.
  gen=$(readlink "$conf/compiled/current")
  out=$(pf start 2>&1)
  check "restart exits 0" test $? = 0
  check "an unchanged configuration is not compiled again" test "$(readlink "$conf/compiled/current")" = "$gen"
  master=$(awk '{print $1; exit}' "$dir/queue/pid/master.pid")
  kill -TERM "$master"
  check "master stopped by its pid" wait_for 5 bash -c "! kill -0 $master 2>/dev/null"
  out=$(pf status 2>&1)
  check "status then exits 1" test $? = 1

  # A changed table source is compiled at the next start.
  echo "sales@example.org postmaster@example.org" >>"$conf/virtual"
  out=$(pf start 2>&1)
  check "start after a table changed exits 0" test $? = 0
  check "a changed table is compiled" test "$(readlink "$conf/compiled/current")" != "$gen"
  out=$(pf stop 2>&1)
  check "and stopped" test $? = 0

  # A configuration that does not lint is not started.
  echo "default_transport = nosuch" >>"$conf/main.cf"
  out=$(pf start 2>&1)
  check "a configuration with errors is refused" test $? = 1
  check "with lint's report" grep -q "default_transport.*nosuch.*\[transport-undefined\]" <<<"$out"
  check "and nothing runs" test -z "$(pf status >/dev/null 2>&1 && echo running)"

  [ $failures = 0 ] && rm -rf "$dir"
}

if [ "${MASTER_LIFECYCLE_INNER:-}" = 1 ]; then
  lifecycle
  exit $((failures > 0))
fi

lifecycle
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
  MASTER_LIFECYCLE_INNER=1 setpriv --reuid nobody --regid "$(id -gn nobody)" --clear-groups \
    env HOME=/tmp TMPDIR=/tmp bash "$SELF" "$BIN" || failures=$((failures + 1))
fi
if [ $failures -gt 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "all passed"
