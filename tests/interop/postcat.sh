#!/usr/bin/env bash
# Differential test of postcat(1): queue files written by the real Postfix 3.7 (a private
# instance on 127.0.0.1 whose mail stays queued: held by smtpd, or deferred because its
# transport is in defer_transports; maildrop files from Postfix's sendmail/postdrop with
# pickup not running) are shown by Postfix's postcat and by ours, for every file and
# option set: stdout, stderr and exit status must be identical. Then bad input: truncated
# files, garbage, a missing file, unknown queue ids, usage errors.
# Usage: tests/interop/postcat.sh BUILD_DIR/bin (as root: it starts Postfix).
# PF_PORT picks the instance's port (default 10727); KEEP_WORK=1 keeps the scratch tree.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/lib.bash"
# shellcheck source=tests/interop/postfix_instance.bash
PF_PORT=${PF_PORT:-10727}
source "$HERE/postfix_instance.bash"

pf_instance_guard postcat

ROOT=$WORK/pf
CONF=$ROOT/conf

# The instance: the routing test's shared settings, mail kept in the queue (held by
# sender, or deferred to later.example), done.example delivered by discard(8), and no
# pickup service, so that maildrop files stay where postdrop leaves them.
mkdir -p "$CONF" "$ROOT/queue" "$ROOT/data" "$ROOT/spool"
chown postfix "$ROOT/data"
pf_main_cf "$CONF/main.cf" "$ROOT"
sed -i '/^maximal_queue_lifetime = /d; /^bounce_queue_lifetime = /d' "$CONF/main.cf"
cat >>"$CONF/main.cf" <<MAIN
maximal_queue_lifetime = 5d
bounce_queue_lifetime = 5d
smtputf8_enable = yes
smtpd_sender_restrictions = check_sender_access inline:{hold@example.org=HOLD}
transport_maps = inline:{done.example=discard:, later.example=smtp:}
defer_transports = smtp
# Long queue ids in hashed hold and deferred queues two levels deep: -q must find them
# where Postfix put them.
enable_long_queue_ids = yes
hash_queue_names = deferred, hold
hash_queue_depth = 2
MAIN
pf_master_cf "$CONF/master.cf"
sed -i '/^pickup /d' "$CONF/master.cf"
touch -d '1 hour ago' "$CONF/main.cf"
chmod -R a+rX "$ROOT"
if ! /usr/sbin/postfix -c "$CONF" start >"$WORK/start.log" 2>&1; then
  cat "$WORK/start.log" >&2
  exit 1
fi
RUNNING=$CONF

count=$(python3 "$HERE/postcat_mail.py" "$PF_PORT" 2>"$WORK/mail.err") || {
  cat "$WORK/mail.err" >&2
  exit 1
}
# Maildrop files, as Postfix's sendmail hands them to postdrop: full name, -N, an empty
# message, a message read with -t.
printf 'Subject: maildrop\n\nfrom sendmail\n' |
  /usr/sbin/sendmail -C "$CONF" -f drop@example.org -F 'Drop Sender' -N success,delay to@later.example
/usr/sbin/sendmail -C "$CONF" -f empty@example.org to@later.example </dev/null
printf 'To: t1@later.example, t2@later.example\nSubject: -t\n\nbody\n' |
  /usr/sbin/sendmail -C "$CONF" -t -i
count=$((count + 3))

# Wait until every message is held, deferred or in the maildrop, and nothing is in
# incoming or active.
queued() { find "$ROOT/queue/hold" "$ROOT/queue/deferred" "$ROOT/queue/maildrop" -type f 2>/dev/null | wc -l; }
busy() { find "$ROOT/queue/incoming" "$ROOT/queue/active" -type f 2>/dev/null | wc -l; }
for _ in $(seq 1 300); do
  if [ "$(queued)" -ge "$count" ] && [ "$(busy)" = 0 ]; then break; fi
  sleep 0.1
done
stop_instance
if [ "$(queued)" -lt "$count" ]; then
  echo "postcat: only $(queued) of $count messages were queued" >&2
  exit 1
fi

# One capture per program: postcat ARGS... in DIR with stdin IN.
# Both programs are run as "postcat" through PATH: messages start with argv[0].
mkdir -p "$WORK/runs" "$WORK/pfbin" "$WORK/oursbin"
ln -s "$PF_SBIN/postcat" "$WORK/pfbin/postcat"
ln -s "$OURS_BIN/postcat" "$WORK/oursbin/postcat"
PF_CAT=(env "PATH=$WORK/pfbin:/usr/bin:/bin" postcat)
OURS_CAT=(env "PATH=$WORK/oursbin:/usr/bin:/bin" postcat)
runs=0
run_both() { # run_both NAME DIR IN ARGS...
  local name=$1 dir=$2 in=$3 pfx
  shift 3
  runs=$((runs + 1))
  pfx=$WORK/runs/$runs
  capture "$pfx.pf" "$dir" "$in" "${PF_CAT[@]}" "$@"
  capture "$pfx.ours" "$dir" "$in" "${OURS_CAT[@]}" "$@"
  same "$name" "$pfx.pf" "$pfx.ours"
}

# With -v, Postfix's library start-up logs about the host's network interfaces
# (name_mask, inet_addr_local), which postcat's own output does not depend on.
export STDERR_FILTER='/: (name_mask|inet_addr_local): /d'
# run_pipe NAME FILE ARGS...: stdin is a pipe (not seekable: offsets are -1, and
# seeks fail as Postfix's do).
run_pipe() {
  local name=$1 file=$2 pfx
  shift 2
  runs=$((runs + 1))
  pfx=$WORK/runs/$runs
  # shellcheck disable=SC2002 # a pipe, on purpose
  cat "$file" | "${PF_CAT[@]}" "$@" >"$pfx.pf.out" 2>"$pfx.pf.err"
  echo $? >"$pfx.pf.rc"
  # shellcheck disable=SC2002
  cat "$file" | "${OURS_CAT[@]}" "$@" >"$pfx.ours.out" 2>"$pfx.ours.err"
  echo $? >"$pfx.ours.rc"
  same "$name" "$pfx.pf" "$pfx.ours"
}

OPTION_SETS=("" "-e" "-h" "-b" "-bh" "-eh" "-be" "-o" "-d" "-do" "-v" "-r" "-rv" "-ov" "-bv" "-hov" "-s 0" "-e -s 7")
n=0
cd "$ROOT/queue" || exit 1
while IFS= read -r file; do
  n=$((n + 1))
  for opts in "${OPTION_SETS[@]}"; do
    # shellcheck disable=SC2086 # option sets are split on purpose
    run_both "file$n${opts:+ $opts} ($file)" "$ROOT/queue" /dev/null -c "$CONF" $opts "$file"
  done
  run_both "file$n stdin ($file)" "$ROOT/queue" "$file" -c "$CONF"
  run_both "file$n stdin -o -s 3 ($file)" "$ROOT/queue" "$file" -c "$CONF" -o -s 3
  run_pipe "file$n pipe ($file)" "$ROOT/queue/$file" -c "$CONF"
  run_pipe "file$n pipe -ob ($file)" "$ROOT/queue/$file" -c "$CONF" -ob
  run_pipe "file$n pipe -e -s 20 ($file)" "$ROOT/queue/$file" -c "$CONF" -e -s 20
  id=$(basename "$file")
  run_both "file$n -q $id" / /dev/null -c "$CONF" -q "$id"
  run_both "file$n -bq $id" / /dev/null -c "$CONF" -bq "$id"
done < <(find hold deferred maildrop -type f | sort)

# Bad input: every prefix length of a small file, a file cut inside its content,
# garbage, files of one record of each kind of damage, a missing file, a directory,
# unknown and malformed queue ids, usage errors.
BAD=$WORK/bad
mkdir -p "$BAD"
small=$(find maildrop -type f | sort | head -n 1)
size=$(stat -c %s "$small")
for cut in $(seq 0 "$size"); do
  head -c "$cut" "$small" >"$BAD/cut$cut"
done
big=$(find hold -type f -size +100k | head -n 1)
head -c 100000 "$big" >"$BAD/cutbig"
printf 'garbage\n' >"$BAD/garbage"
printf '\0garbage' >"$BAD/nul-start"
printf 'N\377\377\377\377\377\377' >"$BAD/too-many-length-bits"
printf 'N\200\200\200\200\010' >"$BAD/negative-length"
printf 'p\0031x2E\000' >"$BAD/bad-pointer"
printf 'p\00399999E\000' >"$BAD/far-pointer"
# Diagnostics keep well-formed UTF-8 while smtputf8_enable is on; other bytes become '?'.
printf 'C\0011p\0051x\303\274\351E\000' >"$BAD/utf8-pointer"
printf 'C\0031 2Ax\003a=bA\003=bA\000E\000' >"$BAD/bad-size-attr"
printf 'Tz9999999999999999 1\000W\0011M\000X\000M\000E\000X\000' >"$BAD/odd-order"
printf 'M\000N\003a:bL\003 unN\004termN\000N\003bodL\001yX\000E\000' >"$BAD/text"
: >"$BAD/empty"
mkdir "$BAD/dir"
cd "$BAD" || exit 1
# These runs mostly wait: Postfix's postcat sleeps a second before it exits on a fatal
# error. So they run 16 at a time in the background, each pair (Postfix's, ours) in
# order; the comparisons follow, in order, once all have ended.
PENDING=()
run_both_bg() { # run_both_bg NAME DIR IN ARGS...: run_both, compared by compare_pending
  local name=$1 dir=$2 in=$3 pfx
  shift 3
  runs=$((runs + 1))
  pfx=$WORK/runs/$runs
  {
    capture "$pfx.pf" "$dir" "$in" "${PF_CAT[@]}" "$@"
    capture "$pfx.ours" "$dir" "$in" "${OURS_CAT[@]}" "$@"
  } &
  PENDING+=("$pfx" "$name")
  if (($(jobs -rp | wc -l) >= 16)); then wait -n; fi
}
compare_pending() {
  wait
  local i
  for ((i = 0; i < ${#PENDING[@]}; i += 2)); do
    same "${PENDING[i + 1]}" "${PENDING[i]}.pf" "${PENDING[i]}.ours"
  done
  PENDING=()
}
for f in cut* garbage nul-start too-many-length-bits negative-length bad-pointer far-pointer utf8-pointer \
  bad-size-attr odd-order text empty dir; do
  opt_sets=("" "-v" "-bh" "-o" "-r")
  case $f in cut*) opt_sets=("" "-v") ;; esac
  for opts in "${opt_sets[@]}"; do
    # shellcheck disable=SC2086
    run_both_bg "bad $f${opts:+ $opts}" "$BAD" /dev/null -c "$CONF" $opts "$f"
  done
done
compare_pending
# What stays in Postfix's output buffer at the end of one file (the header line of an
# empty file, the newline after an unterminated text line) comes out with the next.
run_both "bad two files" "$BAD" /dev/null -c "$CONF" empty text cut0 text
run_both "bad two files -bh" "$BAD" /dev/null -c "$CONF" -bh text text
run_both "bad missing file" "$BAD" /dev/null -c "$CONF" no-such-file
run_both "bad missing second file" "$BAD" /dev/null -c "$CONF" text no-such-file
run_both "bad unknown id" / /dev/null -c "$CONF" -q ABCDEF12345
run_both "bad id" / /dev/null -c "$CONF" -q ../etc/passwd
run_both "bad option" / /dev/null -c "$CONF" -x
run_both "bad offset" / /dev/null -c "$CONF" -s -1 text
run_both "bad offset text" / /dev/null -c "$CONF" -s 1k text
run_both "offset past end" "$BAD" /dev/null -c "$CONF" -s 1000 text
run_both "missing config" / /dev/null -c "$WORK/no-such-dir" "$BAD/text"
# Wrong permissions (as nobody, since root ignores modes): an unreadable file, and -q
# over queue directories nobody may not enter (each queue is tried, the last error is
# reported).
AS_NOBODY=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
cp text unreadable
chmod 600 unreadable
for what in "unreadable" "-q $(basename "$(find "$ROOT/queue/hold" -type f | head -n 1)")"; do
  runs=$((runs + 1))
  pfx=$WORK/runs/$runs
  # shellcheck disable=SC2086 # "-q ID" is split on purpose
  capture "$pfx.pf" "$BAD" /dev/null "${AS_NOBODY[@]}" "${PF_CAT[@]}" -c "$CONF" $what
  # shellcheck disable=SC2086
  capture "$pfx.ours" "$BAD" /dev/null "${AS_NOBODY[@]}" "${OURS_CAT[@]}" -c "$CONF" $what
  same "permissions: $what" "$pfx.pf" "$pfx.ours"
done

# Times are local times: an import_environment TZ=... entry changes them. A broken
# main.cf is fatal before any file is read.
mkdir -p "$WORK/tz" "$WORK/broken"
printf 'compatibility_level = 3.6\nqueue_directory = %s\nimport_environment = TZ=Asia/Kolkata LANG=C\n' "$ROOT/queue" >"$WORK/tz/main.cf"
printf 'compatibility_level = 3.6\nbroken line\n' >"$WORK/broken/main.cf"
touch -d '1 hour ago' "$WORK/tz/main.cf" "$WORK/broken/main.cf"
run_both "import_environment TZ" / /dev/null -c "$WORK/tz" -q "$(basename "$(find "$ROOT/queue/deferred" -type f | head -n 1)")"
run_both "broken main.cf" "$BAD" /dev/null -c "$WORK/broken" text
run_both "stdin garbage" "$BAD" "$BAD/garbage" -c "$CONF"
run_both "stdin empty" "$BAD" "$BAD/empty" -c "$CONF"
run_both "stdin offset past end" "$BAD" "$BAD/text" -c "$CONF" -s 1000

finish
