#!/usr/bin/env bash
# Differential test of postsuper(1): a spool filled by the real Postfix 3.7 (a private
# instance on 127.0.0.1: held, deferred and partly delivered mail with its defer logs,
# maildrop files, long queue ids in queues hashed two levels deep) is stopped and copied
# twice for every case; Postfix's postsuper runs on one copy and ours on the other. The
# stdout, stderr and exit status must be identical, and so must the trees left behind:
# names per directory, types, modes, owners, contents, and whether a file's time was
# reset. Short queue ids, other hashing and the structure repair (-s, -S, -p) come from
# other settings over the same spool; then bad input (unknown and malformed ids, bad
# queue names, usage errors).
# Usage: tests/interop/postsuper.sh BUILD_DIR/bin (as root: it starts Postfix).
# PF_PORT picks the instance's port (default 10728); KEEP_WORK=1 keeps the scratch tree.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/lib.bash"
# shellcheck source=tests/interop/postfix_instance.bash
PF_PORT=${PF_PORT:-10728}
source "$HERE/postfix_instance.bash"

pf_instance_guard postsuper

ROOT=$WORK/pf
CONF=$ROOT/conf

# The instance: mail from hold@ is held by smtpd, mail to later.example is deferred
# (its transport is in defer_transports), done.example is delivered by discard(8); no
# pickup service, so that maildrop files stay in the maildrop.
mkdir -p "$CONF" "$ROOT/queue" "$ROOT/data" "$ROOT/spool"
chown postfix "$ROOT/data"
pf_main_cf "$CONF/main.cf" "$ROOT"
sed -i '/^maximal_queue_lifetime = /d; /^bounce_queue_lifetime = /d' "$CONF/main.cf"
cat >>"$CONF/main.cf" <<MAIN
maximal_queue_lifetime = 5d
bounce_queue_lifetime = 5d
smtpd_sender_restrictions = check_sender_access inline:{hold@example.org=HOLD}
transport_maps = inline:{done.example=discard:, later.example=smtp:}
defer_transports = smtp
enable_long_queue_ids = yes
hash_queue_names = deferred, defer, hold
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

count=$(
  python3 - "$PF_PORT" 2>"$WORK/mail.err" <<'PY'
import smtplib, sys
port = int(sys.argv[1])
messages = [
    ("hold@example.org", ["h1@later.example"]),
    ("hold@example.org", ["h2@later.example", "h3@later.example"]),
    ("hold@example.org", ["h4@done.example"]),
    ("d@example.org", ["d1@later.example"]),
    ("d@example.org", ["d2@later.example", "d3@later.example"]),
    ("d@example.org", ["d4@later.example"]),
    ("partial@example.org", ["p1@done.example", "p2@later.example"]),
]
for sender, rcpts in messages:
    with smtplib.SMTP("127.0.0.1", port) as s:
        s.sendmail(sender, rcpts, b"Subject: postsuper test\r\n\r\nbody\r\n")
print(len(messages))
PY
) || {
  cat "$WORK/mail.err" >&2
  exit 1
}
printf 'Subject: maildrop\n\nfrom sendmail\n' | /usr/sbin/sendmail -C "$CONF" -f drop@example.org m1@later.example
/usr/sbin/sendmail -C "$CONF" -f drop@example.org m2@later.example </dev/null
count=$((count + 2))

queued() { find "$ROOT/queue/hold" "$ROOT/queue/deferred" "$ROOT/queue/maildrop" -type f 2>/dev/null | wc -l; }
busy() { find "$ROOT/queue/incoming" "$ROOT/queue/active" -type f 2>/dev/null | wc -l; }
for _ in $(seq 1 300); do
  if [ "$(queued)" -ge "$count" ] && [ "$(busy)" = 0 ]; then break; fi
  sleep 0.1
done
stop_instance
if [ "$(queued)" -lt "$count" ]; then
  echo "postsuper: only $(queued) of $count messages were queued" >&2
  exit 1
fi

# The base spool: every file and directory of the stopped instance, its times set to
# one old moment so that a reset time shows, plus what the repairs are for: a stale
# temporary file (a week old, not executable), a fresh one, a FIFO, an alien
# directory, a file with a name that is no queue id. A deferred message is copied into
# incoming and a held one into active under the same ids (one id in two queues: which
# one an operation by id takes is the queue order), so that "ALL" and the queue
# arguments have something everywhere.
BASE=$WORK/base
cp -a "$ROOT/queue" "$BASE"
rm -rf "$BASE/pid" "$BASE/public" "$BASE/private"
OLD='2020-01-02 03:04:05'
find "$BASE" -exec touch -h -d "$OLD" {} +
first_deferred=$(find "$BASE/deferred" -type f | sort | head -n 1)
cp -a "$first_deferred" "$BASE/incoming/"
held=$(find "$BASE/hold" -type f | sort | head -n 1)
cp -a "$held" "$BASE/active/"
install -o postfix -m 0600 /dev/null "$BASE/incoming/stale123"
touch -d '10 days ago' "$BASE/incoming/stale123"
install -o postfix -m 0600 /dev/null "$BASE/active/fresh456"
mkfifo "$BASE/active/AFIFO"
chown postfix "$BASE/active/AFIFO"
mkdir "$BASE/hold/alien.dir"
install -o postfix -m 0700 /dev/null "$BASE/hold/not.an.id"

# Queue ids by where they are (the long ids Postfix gave them).
ids_in() { find "$BASE/$1" -type f -perm -u+x -printf '%f\n' | grep -v '\.' | sort; }
mapfile -t DEFERRED < <(ids_in deferred)
mapfile -t HELD < <(ids_in hold)
mapfile -t MAILDROP < <(ids_in maildrop)
mapfile -t INCOMING < <(ids_in incoming)
mapfile -t ACTIVE < <(ids_in active)
if [ "${#INCOMING[@]}" != 1 ] || [ "${#DEFERRED[@]}" -lt 4 ] || [ "${#HELD[@]}" -lt 3 ] || [ "${#MAILDROP[@]}" -lt 2 ]; then
  echo "postsuper: unexpected spool: ${#DEFERRED[@]} deferred, ${#HELD[@]} held, ${#MAILDROP[@]} maildrop" >&2
  exit 1
fi
if ! find "$BASE/defer" -type f | grep -q .; then
  echo "postsuper: no defer logs in the spool" >&2
  exit 1
fi

# Configuration pairs: the instance's main.cf with the queue directory of one copy,
# plus a variant's settings.
mkconfpair() { # mkconfpair NAME LINES...
  local name=$1 side
  shift
  for side in pf ours; do
    mkdir -p "$WORK/c/$name.$side"
    # Without maillog_file: Postfix's postsuper, as the mail owner, could not write
    # the instance's log file and would end there; syslog takes its lines instead.
    sed -e "s|^queue_directory = .*|queue_directory = $WORK/q.$side|" -e '/^maillog_file/d' \
      "$CONF/main.cf" >"$WORK/c/$name.$side/main.cf"
    local line
    for line in "$@"; do
      sed -i "/^${line%% =*} =/d" "$WORK/c/$name.$side/main.cf"
      printf '%s\n' "$line" >>"$WORK/c/$name.$side/main.cf"
    done
    touch -d '1 hour ago' "$WORK/c/$name.$side/main.cf"
  done
  chmod -R a+rX "$WORK/c"
}
mkconfpair long
mkconfpair short 'enable_long_queue_ids = no'
mkconfpair flat 'hash_queue_names = deferred, defer' 'hash_queue_depth = 1'

# tree DIR ERR: per entry its path, type, mode, owner and group; for a file its
# checksum and whether its time is still the base's or was reset. A queue id that the
# repair derived from a file's inode differs between the two copies (cp gives new
# inodes): the inode part is written as {INODE}, in the tree, in the logs' names and in
# the messages on stderr (ERR, rewritten in place). Only where a repair runs
# (INODE_NAMES=1): elsewhere a name that happens to end in its copy's inode number is
# just a name.
tree() {
  python3 - "$1" "$2" "$(date -d "$OLD" +%s)" "${INODE_NAMES:-0}" <<'PY'
import os, sys
root, err, old, inode_names = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
safe = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz"
def b51(n):
    out = ""
    while True:
        out = safe[n % 51] + out
        n //= 51
        if n == 0:
            return out
names = {}
for queue in ("maildrop", "incoming", "active", "deferred", "hold"):
    for d, _, files in os.walk(os.path.join(root, queue)):
        for f in files:
            st = os.lstat(os.path.join(d, f))
            base = f[:-4] if f.endswith("#FIX") else f
            z = base.rfind("z")
            inode = b51(st.st_ino) if z >= 10 else "%X" % st.st_ino
            if inode_names and len(base) > 5 and base.endswith(inode):
                names[base] = base[: len(base) - len(inode)] + "{INODE}"
def norm(name):
    for k, v in names.items():
        name = name.replace(k, v)
    return name
lines = []
for d, dirs, files in os.walk(root):
    for f in dirs + files:
        path = os.path.join(d, f)
        st = os.lstat(path)
        kind = "d" if os.path.isdir(path) and not os.path.islink(path) else "f" if os.path.isfile(path) else "p"
        line = "%s %s %o %d %d" % (norm(os.path.relpath(path, root)), kind, st.st_mode & 0o7777, st.st_uid, st.st_gid)
        if kind == "f":
            import hashlib
            with open(path, "rb") as fh:
                digest = hashlib.md5(fh.read()).hexdigest()
            line += " %s %s" % ("old" if int(st.st_mtime) == old else "reset", digest)
        lines.append(line)
print("\n".join(sorted(lines)))
with open(err) as fh:
    text = fh.read()
with open(err, "w") as fh:
    fh.write(norm(text))
PY
}

mkdir -p "$WORK/runs" "$WORK/pfbin" "$WORK/oursbin"
ln -s "$PF_SBIN/postsuper" "$WORK/pfbin/postsuper"
ln -s "$OURS_BIN/postsuper" "$WORK/oursbin/postsuper"
runs=0
# With -v, Postfix's library start-up logs about the host's network interfaces, which
# postsuper's own work does not depend on.
export STDERR_FILTER='/: (name_mask|inet_addr_local): /d'
# run_case NAME CONF-NAME BASE-DIR STDIN ARGS...: both programs, each on a fresh copy
# of BASE-DIR; the output and the trees must be the same.
run_case() {
  local name=$1 conf=$2 base=$3 in=$4 pfx side
  shift 4
  runs=$((runs + 1))
  pfx=$WORK/runs/$runs
  for side in pf ours; do
    rm -rf "$WORK/q.$side"
    cp -a "$base" "$WORK/q.$side"
    local bin=$WORK/pfbin
    [ "$side" = ours ] && bin=$WORK/oursbin
    capture "$pfx.$side" "$WORK" "$in" ${AS_NOBODY:+setpriv --reuid=nobody --regid=nogroup --clear-groups} \
      env "PATH=$bin:/usr/bin:/bin" postsuper -c "$WORK/c/$conf.$side" "$@"
    tree "$WORK/q.$side" "$pfx.$side.err" >"$pfx.$side.tree"
    sed -i "s|$WORK/c/[a-z]*\.$side/|CONF/|" "$pfx.$side.err"
  done
  same "$name" "$pfx.pf" "$pfx.ours"
  same_files "$name (tree)" "$pfx.pf.tree" "$pfx.ours.tree"
}

# qshape_case NAME QUEUES...: Postfix's qshape (recipient and sender domains by age)
# over the two copies the last run_case left, after Postfix's postsuper and after ours:
# a spool our postsuper changed must read the same to the tools that read spools.
qshape_case() {
  local name=$1 side
  shift
  for side in pf ours; do
    capture "$WORK/qshape.$side" "$WORK" /dev/null env PATH=/usr/sbin:/usr/bin:/bin \
      qshape -c "$WORK/c/long.$side" "$@"
    capture "$WORK/qshape-s.$side" "$WORK" /dev/null env PATH=/usr/sbin:/usr/bin:/bin \
      qshape -s -c "$WORK/c/long.$side" "$@"
    sed -i "s|$WORK/c/long\.$side/|CONF/|" "$WORK/qshape.$side.err" "$WORK/qshape-s.$side.err"
  done
  same "$name: qshape" "$WORK/qshape.pf" "$WORK/qshape.ours"
  same "$name: qshape -s" "$WORK/qshape-s.pf" "$WORK/qshape-s.ours"
}

printf '%s\n' "${DEFERRED[1]}" "${HELD[0]}" "NOSUCHID" "bad.id" "" "${MAILDROP[0]}" >"$WORK/ids"
printf '%s' "${DEFERRED[2]}" >"$WORK/ids-nonl"

# By queue id: deferred, held, in the maildrop, twice, unknown, malformed, in a queue
# not named, from stdin.
run_case "-d deferred" long "$BASE" /dev/null -d "${DEFERRED[0]}"
run_case "-d held" long "$BASE" /dev/null -d "${HELD[0]}"
run_case "-d maildrop" long "$BASE" /dev/null -d "${MAILDROP[0]}"
run_case "-d twice" long "$BASE" /dev/null -d "${DEFERRED[0]}" -d "${DEFERRED[0]}" -d "${DEFERRED[1]}"
run_case "-d unknown" long "$BASE" /dev/null -d NOSUCHID
run_case "-d malformed" long "$BASE" /dev/null -d 'bad/id'
run_case "-d empty" long "$BASE" /dev/null -d ''
run_case "-d in hold only" long "$BASE" /dev/null -d "${DEFERRED[0]}" hold
run_case "-d in deferred" long "$BASE" /dev/null -d "${DEFERRED[0]}" deferred
run_case "-d both copies" long "$BASE" /dev/null -d "${INCOMING[0]}" -d "${DEFERRED[0]}"
run_case "-h both copies" long "$BASE" /dev/null -h "${ACTIVE[0]}" -h "${ACTIVE[0]}"
run_case "-d -" long "$BASE" "$WORK/ids" -d -
run_case "-d - no newline" long "$BASE" "$WORK/ids-nonl" -d -
run_case "-d ALL" long "$BASE" /dev/null -d ALL
run_case "-d ALL deferred" long "$BASE" /dev/null -d ALL deferred
run_case "-d ALL hold maildrop" long "$BASE" /dev/null -d ALL hold maildrop
run_case "-d ALL defer" long "$BASE" /dev/null -d ALL defer
run_case "-d all (lower case)" long "$BASE" /dev/null -d all
run_case "-h deferred" long "$BASE" /dev/null -h "${DEFERRED[0]}"
run_case "-h held" long "$BASE" /dev/null -h "${HELD[0]}"
run_case "-h maildrop" long "$BASE" /dev/null -h "${MAILDROP[0]}"
run_case "-h -" long "$BASE" "$WORK/ids" -h -
run_case "-h ALL" long "$BASE" /dev/null -h ALL
qshape_case "-h ALL" hold deferred maildrop
run_case "-h ALL deferred" long "$BASE" /dev/null -h ALL deferred
run_case "-H held" long "$BASE" /dev/null -H "${HELD[1]}"
run_case "-H deferred" long "$BASE" /dev/null -H "${DEFERRED[0]}"
run_case "-H -" long "$BASE" "$WORK/ids" -H -
run_case "-H ALL" long "$BASE" /dev/null -H ALL
qshape_case "-H ALL" hold deferred
run_case "-H ALL deferred" long "$BASE" /dev/null -H ALL deferred
run_case "-r deferred" long "$BASE" /dev/null -r "${DEFERRED[0]}"
run_case "-r held" long "$BASE" /dev/null -r "${HELD[0]}"
run_case "-r maildrop" long "$BASE" /dev/null -r "${MAILDROP[0]}"
run_case "-r -" long "$BASE" "$WORK/ids" -r -
run_case "-r ALL" long "$BASE" /dev/null -r ALL
qshape_case "-r ALL" maildrop deferred hold incoming active
run_case "-r ALL hold" long "$BASE" /dev/null -r ALL hold
run_case "-e deferred" long "$BASE" /dev/null -e "${DEFERRED[0]}"
run_case "-e ALL" long "$BASE" /dev/null -e ALL
run_case "-f held" long "$BASE" /dev/null -f "${HELD[0]}"
run_case "-f ALL" long "$BASE" /dev/null -f ALL
run_case "order: -h ALL -H ALL -d id" long "$BASE" /dev/null -h ALL -H ALL -d "${HELD[2]}"
run_case "order: -H ALL -h ALL" long "$BASE" /dev/null -H ALL -h ALL
run_case "-d -h -r -H" long "$BASE" /dev/null -d "${DEFERRED[0]}" -h "${DEFERRED[1]}" -r "${DEFERRED[2]}" -H "${HELD[0]}"
run_case "-v -d" long "$BASE" /dev/null -v -d "${DEFERRED[0]}"
run_case "-v -h ALL" long "$BASE" /dev/null -v -h ALL deferred

# Repairs: the default (-s -p), -p, -s, -S; long names to short ones (two passes, the
# "#FIX" names, the closing warning); a different hashing.
export INODE_NAMES=1
run_case "no options" long "$BASE" /dev/null
run_case "-p" long "$BASE" /dev/null -p
run_case "-s" long "$BASE" /dev/null -s
run_case "-S" long "$BASE" /dev/null -S
run_case "-s queue" long "$BASE" /dev/null -s hold
run_case "-s (flat hashing)" flat "$BASE" /dev/null -s
run_case "-s short ids" short "$BASE" /dev/null -s
run_case "-s short ids with -d" short "$BASE" /dev/null -s -d "${DEFERRED[0]}"
run_case "-s short ids with -d ALL" short "$BASE" /dev/null -s -d ALL

INODE_NAMES=0
# A spool of short ids: Postfix's own -s result, without the repairs' leftovers.
SHORT=$WORK/short
rm -rf "$WORK/q.pf"
cp -a "$BASE" "$WORK/q.pf"
"$PF_SBIN/postsuper" -c "$WORK/c/short.pf" -s >/dev/null 2>&1
cp -a "$WORK/q.pf" "$SHORT"
# SHORT's names encode the inodes of q.pf's files: q.pf is kept (renamed) so that no
# later copy can be given one of those inodes and find a name that already matches on
# one side only (a copy's count of renamed files would then differ by chance).
mv "$WORK/q.pf" "$WORK/short-inodes"
find "$SHORT" -exec touch -h -d "$OLD" {} +
sid() { find "$SHORT/$1" -type f -perm -u+x -printf '%f\n' | grep -v '\.' | sort | sed -n "${2}p"; }
run_case "short: -d deferred" short "$SHORT" /dev/null -d "$(sid deferred 1)"
run_case "short: -h deferred" short "$SHORT" /dev/null -h "$(sid deferred 2)"
run_case "short: -H held" short "$SHORT" /dev/null -H "$(sid hold 1)"
run_case "short: -r held" short "$SHORT" /dev/null -r "$(sid hold 2)"
run_case "short: -d ALL" short "$SHORT" /dev/null -d ALL
INODE_NAMES=1
run_case "short: no options" short "$SHORT" /dev/null
run_case "short: -s with long ids on" long "$SHORT" /dev/null -s
INODE_NAMES=0

# Bad input: nothing may change.
run_case "bad queue name (-d ALL)" long "$BASE" /dev/null -d ALL nosuchqueue
run_case "bad queue name (-d id)" long "$BASE" /dev/null -d "${DEFERRED[0]}" no/such
run_case "bad queue name (-H id)" long "$BASE" /dev/null -H "${HELD[0]}" nosuchqueue
run_case "log queue (-h id)" long "$BASE" /dev/null -h "${DEFERRED[0]}" defer
run_case "unknown option" long "$BASE" /dev/null -x
run_case "missing argument" long "$BASE" /dev/null -d
run_case "relative -c" long "$BASE" /dev/null -c relative -d ALL
run_case "not a queue directory" long "$BASE" /dev/null -d ALL saved
NOFLUSH=$WORK/noflush
cp -a "$BASE" "$NOFLUSH"
rm -rf "$NOFLUSH/flush"
run_case "missing queue directory (-d ALL)" long "$NOFLUSH" /dev/null -d ALL
INODE_NAMES=1 run_case "missing queue directory (-s)" long "$NOFLUSH" /dev/null -s
run_case "missing queue directory (-d id)" long "$NOFLUSH" /dev/null -d "${DEFERRED[0]}"
run_case "missing main.cf" none "$BASE" /dev/null -d ALL
AS_NOBODY=1 run_case "not the superuser" long "$BASE" /dev/null -d ALL

# A message file outside its hashed subdirectory: invisible to operations by id,
# moved by -s, taken by ALL.
MISPLACED=$WORK/misplaced
cp -a "$BASE" "$MISPLACED"
mv "$(find "$MISPLACED/deferred" -type f -name "${DEFERRED[3]}")" "$MISPLACED/deferred/"
run_case "misplaced: -d id" long "$MISPLACED" /dev/null -d "${DEFERRED[3]}"
run_case "misplaced: -d ALL" long "$MISPLACED" /dev/null -d ALL
run_case "misplaced: -h ALL" long "$MISPLACED" /dev/null -h ALL
# A misplaced file in a directory the mail owner may not change: the move fails,
# fatally, with the repair half done.
mkdir "$MISPLACED/deferred/X"
mv "$(find "$MISPLACED/deferred" -type f -name "${DEFERRED[2]}")" "$MISPLACED/deferred/X/"
chmod 755 "$MISPLACED/deferred/X"
run_case "misplaced: -s, not permitted" long "$MISPLACED" /dev/null -s deferred
INODE_NAMES=1
run_case "misplaced: -s -d id" long "$MISPLACED" /dev/null -s -d "${DEFERRED[3]}"
INODE_NAMES=0

finish
