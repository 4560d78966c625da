#!/usr/bin/env bash
# Differential test of postconf against Postfix 3.7's on the main.cf/master.cf sets of
# testdata/interop/postconf/ (default: Debian's main.cf.proto and master.cf.proto; rich:
# lists, continuations, conditionals, restriction classes, typos, legacy and read-only
# names, every -o form; expand: every $name form and comparison): listings with every
# display option, NAME / -x NAME / -h NAME for every main.cf name, -d NAME for every
# name Postfix knows, -M/-F/-P with filters, edits (-e -X -# and -Me -MX -M# -Fe -Pe
# -PX) and the files they leave (main.cf, master.cf, no stray temporary file),
# bad input and usage errors. Both programs run as "postconf" so the messages match.
# Postfix prints unused/undefined-parameter warnings in hash-table order, so stderr is
# compared sorted. Usage: postconf.sh BUILD_DIR/bin
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.bash" "$@"

PCDATA="$TESTDATA/postconf"
# The process id shows in process_id and, expanded, in debugger_command.
export STDOUT_FILTER='s/(^process_id = |postconf )[0-9]+/\1PID/'

# conf NAME [DIR]: a private copy of a test configuration, back-dated like lib.bash's.
# Call flush first when checks still running may use the copy it replaces.
conf() {
  local dir=${2:-"$WORK/pc/$1"}
  rm -rf "$dir"
  mkdir -p "$dir"
  cp "$PCDATA/$1"/* "$dir"/
  touch -d '1 hour ago' "$dir"/*
  echo "$dir"
}

# run_side SIDE PREFIX CMD...: run "postconf ARGS" with SIDE's program first on PATH.
run_side() {
  local side=$1 pfx=$2
  shift 2
  local path=$PF_SBIN
  [ "$side" = ours ] && path=$OURS_BIN
  (cd "$WORK" && PATH="$path:/usr/bin:/bin" && exec "$@") </dev/null >"$pfx.out" 2>"$pfx.err"
  echo $? >"$pfx.rc"
  [ -s "$pfx.err" ] || return 0
  if [ -n "${UNIQ_STDERR:-}" ]; then sort -u "$pfx.err" -o "$pfx.err"; else sort "$pfx.err" -o "$pfx.err"; fi
}

# Checks run in the background, both sides at once and up to $JOBS pending checks at a
# time; their comparisons are made in order by flush(), which a check that changes a
# configuration directory calls first. Each pending comparison is a command line.
JOBS=${POSTCONF_INTEROP_JOBS:-6}
pending=()
flush() {
  wait
  local cmd
  for cmd in "${pending[@]}"; do eval "$cmd"; done
  pending=()
}
queue() {
  pending+=("$(printf '%q ' "$@")")
  if [ "${#pending[@]}" -ge "$JOBS" ]; then flush; fi
}

# check NAME ARGS...: postconf ARGS on both sides, compared.
n=0
check() {
  local name=$1
  shift
  n=$((n + 1))
  run_side pf "$WORK/r$n.pf" postconf "$@" &
  run_side ours "$WORK/r$n.ours" postconf "$@" &
  queue same "$name" "$WORK/r$n.pf" "$WORK/r$n.ours"
}

# snap FILE: its contents, or a note that it does not exist.
snap() { if [ -e "$1" ]; then cat "$1"; else echo "(no $(basename "$1"))"; fi; }

# check_edit NAME CONF ARGS...: an edit on two copies of CONF; output and files compared.
check_edit() {
  local name=$1 c=$2
  shift 2
  n=$((n + 1))
  local a="$WORK/e$n/pf" b="$WORK/e$n/ours"
  conf "$c" "$a" >/dev/null
  conf "$c" "$b" >/dev/null
  run_side pf "$WORK/r$n.pf" postconf -c "$a" "$@" &
  run_side ours "$WORK/r$n.ours" postconf -c "$b" "$@" &
  queue edit_compare "$name" "$n" "${EDIT_SORT:-}"
}

# edit_compare NAME N SORT: the comparisons of check_edit number N.
edit_compare() {
  local name=$1 n=$2 sort=$3
  local a="$WORK/e$n/pf" b="$WORK/e$n/ours"
  sed -i "s|$a|CONF|g" "$WORK/r$n.pf.err"
  sed -i "s|$b|CONF|g" "$WORK/r$n.ours.err"
  listing "$a" >"$WORK/e$n/pf.ls"
  listing "$b" >"$WORK/e$n/ours.ls"
  same "$name: output" "$WORK/r$n.pf" "$WORK/r$n.ours"
  if [ -n "$sort" ]; then
    # Postfix appends several new parameters in (randomized) hash-table order.
    snap "$a/main.cf" | sort >"$WORK/e$n/pf.main"
    snap "$b/main.cf" | sort >"$WORK/e$n/ours.main"
    same_files "$name: main.cf (sorted)" "$WORK/e$n/pf.main" "$WORK/e$n/ours.main"
  else
    snap "$a/main.cf" >"$WORK/e$n/pf.main"
    snap "$b/main.cf" >"$WORK/e$n/ours.main"
    same_files "$name: main.cf" "$WORK/e$n/pf.main" "$WORK/e$n/ours.main"
  fi
  snap "$a/master.cf" >"$WORK/e$n/pf.master"
  snap "$b/master.cf" >"$WORK/e$n/ours.master"
  same_files "$name: master.cf" "$WORK/e$n/pf.master" "$WORK/e$n/ours.master"
  same_files "$name: files" "$WORK/e$n/pf.ls" "$WORK/e$n/ours.ls"
}

for c in default rich expand; do
  flush
  d=$(conf "$c")
  for opts in "" -n -d -x -nx -dx -nf -df -xf -nh -H -nH "-C builtin" "-C service" "-C user" "-C user,service" -M -Mf -Mx -F -Fx -P -Px -Pf -Ph -Fh; do
    # shellcheck disable=SC2086 # word splitting of the option list is intended
    check "$c: postconf $opts" -c "$d" $opts
  done
  # NAME, -x NAME, -h NAME for every main.cf name (and one unknown name).
  mapfile -t names < <("$PF_SBIN/postconf" -c "$d" -n 2>/dev/null | sed 's/ =.*//')
  check "$c: postconf NAME..." -c "$d" "${names[@]}" no_such_parameter
  check "$c: postconf -x NAME..." -c "$d" -x "${names[@]}"
  check "$c: postconf -h NAME..." -c "$d" -h "${names[@]}"
  check "$c: postconf -o" -c "$d" -x -o 'mail_name=Over' -o 'stress=yes' mail_name smtpd_banner address_verify_poll_count
  # Every name Postfix knows, one -d NAME at a time would take minutes: all at once.
  mapfile -t all < <("$PF_SBIN/postconf" -c "$d" -d 2>/dev/null | sed 's/ =.*//')
  check "$c: postconf -d NAME (all ${#all[@]})" -c "$d" -d "${all[@]}"
  check "$c: postconf -dx NAME (all)" -c "$d" -dx "${all[@]}"
  for f in smtp smtp/inet 'smtp/*' '*/unix' nosuch/unix relay maildrop/unix; do
    check "$c: postconf -M $f" -c "$d" -M "$f"
    check "$c: postconf -Mf $f" -c "$d" -Mf "$f"
  done
  for f in smtp/inet/command '*/*/type' 'relay/unix' submission smtp/inet/nosuch 'x/unix/service'; do
    check "$c: postconf -F $f" -c "$d" -F "$f"
  done
  for f in smtp/inet/smtpd_tls_security_level 'submission/inet' '*/*/syslog_name' relay/unix/nosuch; do
    check "$c: postconf -P $f" -c "$d" -P "$f"
    check "$c: postconf -Px $f" -c "$d" -Px "$f"
  done
done

# The set of names: ours must know exactly Postfix's.
flush
d=$(conf rich)
"$PF_SBIN/postconf" -c "$d" -d 2>/dev/null | sed 's/ =.*//' >"$WORK/names.pf"
"$OURS_BIN/postconf" -c "$d" -d 2>/dev/null | sed 's/ =.*//' >"$WORK/names.ours"
same_files "rich: the set of -d names" "$WORK/names.pf" "$WORK/names.ours"

# What the build supports: SASL server and client types, mailbox lock methods. They
# read no main.cf, so a missing directory does not matter.
flush
d=$(conf rich)
for opts in -a -A -l "-c $WORK/nowhere -a" -aA -al "-a -n" "-l -x"; do
  # shellcheck disable=SC2086 # word splitting of the option list is intended
  check "postconf $opts" -c "$d" $opts
done

# Database client parameters (postconf_dbms.c): NAME_suffix names of ldap:, mysql:,
# pgsql:, sqlite:, memcache: tables (behind proxy:, inside {braces}), client files named
# by absolute path (unknown settings, duplicates, missing files, directories), brace
# errors, and values of user-defined parameters, which are not scanned.
flush
d=$(conf dbms)
sed -i "s|@DIR@|$d|g" "$d/main.cf" "$d/master.cf"
touch -d '1 hour ago' "$d"/*
for opts in -n "" -M -P "-x virtual_alias_maps" "-C user" -d; do
  # shellcheck disable=SC2086 # word splitting of the option list is intended
  check "dbms: postconf $opts" -c "$d" $opts
done
# Postfix visits main.cf in (randomized) hash order, so the fatal client file is the
# only table of this configuration: what is printed before it stays the same.
flush
d=$WORK/pc/dbms-bad
mkdir -p "$d"
printf 'compatibility_level = 3.6\ntransport_maps = ldap:%s/ok.cf, pgsql:%s/pg.cf\n' "$d" "$d" >"$d/main.cf"
printf 'server_host = x\nunknown = 1\n' >"$d/ok.cf"
printf 'not a setting\n' >"$d/pg.cf"
: >"$d/master.cf"
touch -d '1 hour ago' "$d"/*
check "dbms: client file line without =" -c "$d" -n

# inet_protocols and mynetworks_style are checked while mynetworks is computed: fatal
# in every mode that reads main.cf, unless main.cf sets mynetworks.
flush
d=$(conf expand)
for setting in 'inet_protocols = bogus' 'inet_protocols = ipv4, IPv6' 'inet_protocols = ALL' 'inet_protocols =' \
  'inet_protocols = ipv4 ipv4,all' $'inet_protocols = bogus\nmynetworks = 127.0.0.1' 'mynetworks_style = bogus' \
  'mynetworks_style = host subnet' 'mynetworks_style =' $'inet_protocols =\nmynetworks_style = bogus'; do
  flush
  printf '%s\n' "$setting" >"$d/main.cf"
  touch -d '1 hour ago' "$d/main.cf"
  for opts in -n "-x mynetworks" "-d mynetworks" -M; do
    # shellcheck disable=SC2086 # word splitting of the option list is intended
    check "${setting//$'\n'/; }: postconf $opts" -c "$d" $opts
  done
done

# Edits.
for c in default rich; do
  check_edit "$c: -e replace" "$c" -e 'myhostname = edited.example.org'
  check_edit "$c: -e new" "$c" -e 'brand_new = value  with   spaces  '
  EDIT_SORT=1 check_edit "$c: -e several" "$c" 'relayhost=[x]:25' 'inet_interfaces = loopback-only'
  EDIT_SORT=1 check_edit "$c: -e continued" "$c" -e 'mydestination = only.example' 'smtpd_recipient_restrictions = permit'
  check_edit "$c: -e duplicate" "$c" -e 'alias_maps = hash:/x'
  check_edit "$c: -X" "$c" -X mydestination smtpd_recipient_restrictions alias_maps nosuch
  check_edit "$c: -#" "$c" -# mydestination smtpd_recipient_restrictions alias_maps nosuch
  check_edit "$c: -e comment" "$c" -e '#x = y'
  check_edit "$c: -e no =" "$c" -e 'novalue'
  check_edit "$c: -e multi-line" "$c" -e $'a = b\nc = d'
  check_edit "$c: -X no args" "$c" -X
  check_edit "$c: -e no args" "$c" -e
done

# master.cf edits.
for c in default rich; do
  check_edit "$c: -Me replace" "$c" -Me 'submission/inet = submission inet n - n - - smtpd -o a=b -o { b = c d }'
  check_edit "$c: -Me new" "$c" -Me 'new/unix = new unix - - n - - smtp -o smtp_helo_timeout=1'
  check_edit "$c: -Me rename" "$c" -Me 'relay/unix = other unix - - n - - smtp'
  check_edit "$c: -Me twice" "$c" -Me 'relay/unix=relay unix - - n - - smtp' 'relay/unix=relay2 unix - - n - - smtp'
  check_edit "$c: -MX" "$c" -MX relay/unix nosuch/inet
  check_edit "$c: -M#" "$c" -M# submission/inet 'smtp/*' nosuch/unix
  check_edit "$c: -Fe field" "$c" -Fe 'relay/unix/chroot = n'
  check_edit "$c: -Fe command" "$c" -Fe 'relay/unix/command = smtp -o x=y'
  check_edit "$c: -Fe wildcard service" "$c" -Fe '*/unix/wakeup=0'
  check_edit "$c: -Pe" "$c" -Pe 'maildrop/unix/foo=bar' 'relay/unix/smtp_helo_timeout=7' 'relay/unix/zz=1' 'smtp/inet/smtpd_tls_security_level=none'
  check_edit "$c: -Pe unmatched" "$c" -Pe 'nosuch/unix/a=b'
  check_edit "$c: -PX" "$c" -PX 'relay/unix/smtp_helo_timeout' 'submission/inet/syslog_name' 'relay/unix/nosuch'
  check_edit "$c: -Pe whitespace" "$c" -Pe 'relay/unix/a = b c'
  check_edit "$c: -Fe whitespace" "$c" -Fe 'relay/unix/chroot = n y'
  check_edit "$c: -Fe bad wakeup" "$c" -Fe 'relay/unix/wakeup = abc'
  check_edit "$c: -Fe bad field name" "$c" -Fe 'relay/unix/nosuch = abc'
  check_edit "$c: -Me bad entry" "$c" -Me 'x/unix = x unix - -'
  check_edit "$c: -Me no =" "$c" -Me bad
  check_edit "$c: -Me comment" "$c" -Me '#x/unix=x'
  check_edit "$c: -MX service only" "$c" -MX relay
done

# Bad input and usage errors.
flush
d=$(conf rich)
check "usage: unknown option" -c "$d" -z
check "usage: -d -e" -c "$d" -d -e a=b
check "usage: -M -n" -c "$d" -M -n
check "usage: -n -x -h -f" -c "$d" -nxhf
check "usage: -X name=value" -c "$d" -X a=b
check "missing main.cf" -c "$WORK/nowhere" -n
check "missing main.cf -d" -c "$WORK/nowhere" -d mail_name
check "missing main.cf -M" -c "$WORK/nowhere" -M
check_edit "missing main.cf -e" expand -c "$WORK/nowhere" -e a=b
flush
bad=$(conf rich)
flush
printf 'mail_name = x\nthis line has no equals\n' >"$bad/main.cf"
check "main.cf line without =" -c "$bad" -n
# Postfix repeats this warning once for each time something re-reads main.cf (six
# times with the rich master.cf); ours says it once, so one copy of each is compared.
flush
printf '  indented = 1 and a long text past thirty columns\nmail_name = x\n' >"$bad/main.cf"
UNIQ_STDERR=1 check "main.cf logical line starting with whitespace" -c "$bad" mail_name
flush
printf 'mail_name = x\n' >"$bad/main.cf"
flush
printf 'smtp inet n - y - - smtpd\nbroken unix - -\n' >"$bad/master.cf"
check "master.cf bad field count" -c "$bad" -M
check "master.cf bad field count (main.cf mode)" -c "$bad" -n
for line in 'smtp inot n - y - - smtpd' 'smtp inet x - y - - smtpd' 'smtp inet n - y 1x - smtpd' 'smtp inet n - y - z smtpd' 'smtp inet n - y 60? - smtpd'; do
  flush
  printf '%s\n' "$line" >"$bad/master.cf"
  check "master.cf: $line" -c "$bad" -M
done
# The program name as invoked: postconf prints argv[0] unchanged (postmap and postalias
# print the last path component, see bad_input.sh). Both run by absolute path; the
# directory is then replaced.
flush
d=$(conf rich)
check_path() { # check_path NAME ARGS...
  local name=$1
  shift
  n=$((n + 1))
  capture "$WORK/r$n.pf" "$WORK" /dev/null "$PF_SBIN/postconf" "$@"
  capture "$WORK/r$n.ours" "$WORK" /dev/null "$OURS_BIN/postconf" "$@"
  sed -i "s|$PF_SBIN/postconf|DIR/postconf|g" "$WORK/r$n.pf.err" "$WORK/r$n.pf.out"
  sed -i "s|$OURS_BIN/postconf|DIR/postconf|g" "$WORK/r$n.ours.err" "$WORK/r$n.ours.out"
  # Postfix's postconf reports undefined and read-only main.cf parameters in the order
  # of a hash table whose seed changes from run to run: stderr is compared sorted, as
  # run_side does for every other comparison here.
  sort -o "$WORK/r$n.pf.err" "$WORK/r$n.pf.err"
  sort -o "$WORK/r$n.ours.err" "$WORK/r$n.ours.err"
  same "$name" "$WORK/r$n.pf" "$WORK/r$n.ours"
}
check_path "absolute path: warning" -c "$d" -M nosuch/unix
check_path "absolute path: fatal" -c "$WORK/nowhere" -n
check_path "absolute path: usage" -c "$d" -z

# Malformed service patterns: too many fields, a '*' inside a name, a leading '/'.
# Empty fields are skipped ("smtp//inet/" is smtp/inet).
for f in smtp/inet/command smtp/inet/a/b smtp/inet/ smtp//inet 'sm*/inet' /smtp ''; do
  check "bad pattern: postconf -M '$f'" -c "$d" -M "$f"
  check "bad pattern: postconf -F '$f'" -c "$d" -F "$f"
  check "bad pattern: postconf -P '$f'" -c "$d" -P "$f"
done
for f in smtp/inet/command smtp/inet/a/b smtp/inet/ smtp 'sm*/inet'; do
  check_edit "bad pattern: -MX '$f'" rich -MX "$f"
  check_edit "bad pattern: -M# '$f'" rich -M# "$f"
  check_edit "bad pattern: -Me '$f'" rich -Me "$f=x unix - - n - - smtp"
done
check_edit "bad pattern: -PX relay/unix/a/b" rich -PX relay/unix/a/b
check_edit "bad pattern: -Fe relay/unix" rich -Fe 'relay/unix=x'

# master.cf read as readllines() and argv_splitq() read it: the -o lines of a deleted
# first service, brace errors, a vertical tab inside a field, NUL bytes, an entry whose
# field count is wrong over several lines (reported at its first line).
for master in $'  -o smtpd_tls_security_level=may\n  -o syslog_name=gone\nsmtp inet n - y - - smtpd -o a=b' \
  $'smtp inet n - y - - smtpd\n -o x=1\n# c\n  -o aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1\n -o y=2\nrelay unix - - n - - smtp' \
  'smtp inet n - y - - smtpd -o {smtpd_tls_security_level=may' \
  'smtp inet n - y - - smtpd -o {a=b}x -o { c } -o{d = e  f} -o a=b}' \
  'p unix - n n - - pipe flags=R argv=/bin/cat { a  b } {x} {y' \
  $'smtp inet\vn - y - - smtpd x' $'smtp\vinet n - y - - smtpd' $'smtp inet n - y - - smtpd\v-o a=b' \
  $'smtp inet n - y - - smtpd\nbroken unix\n  -\n  -' $'smtp inet n - y - - smtpd\n\n  -o a=b\n  -o c=d\nx'; do
  flush
  printf '%s\n' "$master" >"$bad/master.cf"
  for opts in -M -F -P -n; do
    check "master.cf ${master//$'\n'/\\n}: postconf $opts" -c "$bad" $opts
  done
done
flush
printf 'smtp inet n - y - - smtpd -o a=b\0 -o c=d\n  -o e=f\nrelay unix - - n - - smtp -o\0x=1\n' >"$bad/master.cf"
check "master.cf with NUL bytes" -c "$bad" -M
check_edit "-Me with a missing brace" rich -Me 'new/unix = new unix - - n - - smtp -o {a=b'
check_edit "-Me replacing by the new name" rich -Me 'nosuch/unix = relay unix - - n - - smtp -o {a=b'
check_edit "-Me replacing twice" rich -Me 'relay/unix = relay unix - - n - - smtp -o {a=b' '*/unix=retry unix - - n - - error'

# main.cf lines end at a NUL byte; dict_load_fp()'s messages quote the whole line.
for main in 'mail_name = ab\0cd\nmyhostname = x\n' 'mail_name = ab\0\n  continued\nmyhostname = x\n' \
  '\0mail_name = ab\n' 'mail_\0name = ab\n' '= value\n' 'no equals   \n' 'abc\n  def  \n'; do
  flush
  # shellcheck disable=SC2059 # the escapes are the point
  printf "$main" >"$bad/main.cf"
  touch -d '1 hour ago' "$bad/main.cf"
  check "main.cf '$main': postconf -n" -c "$bad" -n
done

# A malformed compatibility_level: postconf fails where it compares levels (the
# default of mynetworks_style, -x of a default that compares), postconf -m as
# mail_params_init() does.
for level in junk 3..6 '' 99999999999999999999 3.6. .3 3.1024 -1 ' 3.6' 3.6.1 3.1023.1023; do
  for extra in '' 'mynetworks_style = host' 'mynetworks = 127.0.0.0/8'; do
    flush
    printf 'compatibility_level = %s\n%s\n' "$level" "$extra" >"$bad/main.cf"
    touch -d '1 hour ago' "$bad/main.cf"
    for opts in -n -M "-x smtputf8_enable" "-x mail_name" "-d smtputf8_enable" "-h compatibility_level"; do
      # shellcheck disable=SC2086 # word splitting of the option list is intended
      check "compatibility_level '$level' ($extra): postconf $opts" -c "$bad" $opts
    done
  done
done
# postconf -m lists what each build supports; with a malformed level nothing is listed.
for level in junk 3..6 '' 3.1024; do
  flush
  printf 'compatibility_level = %s\n' "$level" >"$bad/main.cf"
  touch -d '1 hour ago' "$bad/main.cf"
  check "compatibility_level '$level': postconf -m" -c "$bad" -m
done
flush
printf 'mail_name = x\n' >"$bad/main.cf"
touch -d '1 hour ago' "$bad/main.cf"
flush
rm -f "$bad/master.cf"
check "no master.cf (main.cf mode)" -c "$bad" -n
check "no master.cf (-M)" -c "$bad" -M
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
  flush
  unread=$(conf expand)
  flush
  chmod 000 "$unread/main.cf"
  check "unreadable main.cf" -c "$unread" -n
fi

flush
finish
