# Shared helpers of the differential tests against the real Postfix commands.
# Sourced by tests/interop/*.sh (named .bash so ctest does not run it): sets up a scratch directory with main.cf files, runs a
# command once with Postfix's program and once with ours, compares stdout, stderr, exit
# status, database records (db_dump -p / mdb_dump -p) and directory listings.
# shellcheck shell=bash disable=SC2034 # variables for the sourcing scripts
set -uo pipefail
export LC_ALL=C

if [ $# -lt 1 ] || [ ! -d "$1" ]; then
  echo "usage: $0 BUILD_DIR/bin" >&2
  exit 2
fi
OURS_BIN=$(cd "$1" && pwd)
PF_SBIN=/usr/sbin
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTDATA=$(cd "$HERE/../../testdata/interop" && pwd)
DB_DUMP=$(command -v db_dump || command -v db5.3_dump || true)
MDB_DUMP=$(command -v mdb_dump || true)

WORK=$(mktemp -d)
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT

pass=0
fail=0
FAILED=()

# Config directories. Postfix waits until main.cf is more than a second old before it
# reads it, so the files are back-dated.
mkconf() { # mkconf NAME LINES...
  local dir="$WORK/conf/$1"
  shift
  mkdir -p "$dir"
  : >"$dir/main.cf"
  local line
  for line in "$@"; do printf '%s\n' "$line" >>"$dir/main.cf"; done
  touch -d '1 hour ago' "$dir/main.cf"
  chmod -R a+rX "$WORK/conf"
}
mkconf 36 'compatibility_level = 3.6' 'myhostname = mx.example.org'
mkconf 0 'myhostname = mx.example.org'
CONF36="$WORK/conf/36"
CONF0="$WORK/conf/0"

pf_prog() { echo "$PF_SBIN/$1"; }
ours_prog() { echo "$OURS_BIN/$1"; }

if [ ! -x "$OURS_BIN/postmap" ]; then
  echo "note: $OURS_BIN/postmap is not built; comparisons with it will fail"
fi

# report NAME STATUS [DETAILS-FILE]: one line per comparison, details indented.
ok() {
  pass=$((pass + 1))
  echo "PASS $1"
}
bad() {
  fail=$((fail + 1))
  FAILED+=("$1")
  echo "FAIL $1"
  if [ -n "${2:-}" ] && [ -s "$2" ]; then
    head -n "${DIFF_LINES:-25}" "$2" | sed 's/^/    /'
    local n
    n=$(wc -l <"$2")
    if [ "$n" -gt "${DIFF_LINES:-25}" ]; then echo "    ... ($n lines of diff)"; fi
  fi
}
finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
  exit $?
}

# capture PREFIX DIR STDIN CMD...: run CMD in DIR, record PREFIX.out/.err/.rc.
capture() {
  local pfx=$1 dir=$2 in=$3
  shift 3
  (cd "$dir" && exec "$@") <"$in" >"$pfx.out" 2>"$pfx.err"
  echo $? >"$pfx.rc"
}

# render PREFIX SORT: the combined text of one captured run (stdout optionally sorted).
render() {
  echo "== stdout"
  # STDOUT_FILTER: a sed -E script for values that legitimately differ (time stamps).
  if [ "$2" = sort ]; then sort "$1.out"; else cat "$1.out"; fi | sed -E "${STDOUT_FILTER:-}"
  echo "== stderr"
  # STDERR_FILTER: a sed -E script for lines that are not Postfix's own (library noise).
  sed -E "${STDERR_FILTER:-}" "$1.err"
  echo "== exit $(cat "$1.rc")"
}

# same NAME EXPECTED-PREFIX ACTUAL-PREFIX [sort]: compare two captured runs.
same() {
  local name=$1 a=$2 b=$3 mode=${4:-plain} rc_a rc_b
  # Identical captures render identically: most checks end here, without the dozen
  # processes that rendering and diffing take (process start-up is most of the cost).
  read -r rc_a <"$a.rc"
  read -r rc_b <"$b.rc"
  if [ "$rc_a" = "$rc_b" ] && cmp -s "$a.out" "$b.out" && cmp -s "$a.err" "$b.err"; then
    ok "$name"
    return
  fi
  render "$a" "$mode" >"$a.txt"
  render "$b" "$mode" >"$b.txt"
  if diff -u --label postfix --label ours "$a.txt" "$b.txt" >"$b.diff"; then
    ok "$name"
  else
    bad "$name" "$b.diff"
  fi
}

# same_files NAME EXPECTED ACTUAL: compare two text files.
same_files() {
  if diff -u --label postfix --label ours "$2" "$3" >"$3.diff"; then
    ok "$1"
  else
    bad "$1" "$3.diff"
  fi
}

# dbrecords FILE: the type and the sorted key/value records of a hash/btree/lmdb file,
# one "KEY -> VALUE" per line in db_dump -p's escaped form. IGNORE_YP=1 blanks the
# YP_LAST_MODIFIED time stamp.
dbrecords() {
  local f=$1
  if [ ! -e "$f" ]; then
    echo "(no file $(basename "$f"))"
    return
  fi
  local dump
  case $f in
    *.lmdb) dump=$("$MDB_DUMP" -n -p "$f" 2>&1) || dump="mdb_dump failed: $dump" ;;
    *) dump=$("$DB_DUMP" -p "$f" 2>&1) || dump="db_dump failed: $dump" ;;
  esac
  case $dump in
    *" failed: "*)
      # The directory differs between the two sides; the first lines say enough.
      printf '%s\n' "${dump//$f/$(basename "$f")}" | head -n 3
      return
      ;;
  esac
  printf '%s\n' "$dump" | awk -v yp="${IGNORE_YP:-0}" '
    /^type=/ { print; next }
    /^HEADER=END/ { data = 1; next }
    /^DATA=END/ { data = 0; next }
    data { if (k == "") { k = $0 } else {
             if (yp && k == " YP_LAST_MODIFIED") $0 = " (time)"
             print k " -> " $0; k = "" } }' | sort
}

# listing DIR: names, types and sizes-zero-or-not of a directory, for "nothing left
# behind" checks.
listing() {
  (cd "$1" && find . -mindepth 1 -printf '%P %y %s\n' | awk '{print $1, $2, ($3 > 0 ? "nonempty" : "empty")}' | sort)
}
