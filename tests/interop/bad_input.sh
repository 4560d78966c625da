#!/usr/bin/env bash
# Differential test of postmap's and postalias's handling of bad input against Postfix
# 3.7: missing and unreadable files, unwritable directories, unknown types, corrupt and
# zero-length databases, an LMDB key that is too long, usage errors, -d and -i. Compares
# messages, exit codes, the files left in the directory and the database contents after.
# Usage: bad_input.sh BUILD_DIR/bin
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.bash" "$@"

export IGNORE_YP=1

# Unprivileged runs (root ignores file modes).
AS_NOBODY=()
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  AS_NOBODY=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
fi

# bad_case LABEL USER SETUP STDIN TOOL ARGS...
# SETUP is a shell snippet run in each side's (empty) directory first; it may use
# $CONF36 and /usr/sbin/postmap to make a previous database. TOOL (postmap or postalias)
# is Postfix's or ours; USER "nobody" runs it unprivileged; "-c CONF" is added.
bad_case() {
  local label=$1 user=$2 setup=$3 in=$4 tool=$5
  shift 5
  local d="$WORK/b/${label//[^A-Za-z0-9_.-]/_}" side prog f
  if [ "$user" = nobody ] && [ ${#AS_NOBODY[@]} = 0 ]; then
    echo "SKIP $label (cannot run as nobody)"
    return
  fi
  for side in pf ours; do
    [ "$side" = pf ] && prog=$(pf_prog "$tool") || prog=$(ours_prog "$tool")
    mkdir -p "$d/$side"
    (cd "$d/$side" && eval "$setup") >"$d/$side.setup" 2>&1
    if [ "$user" = nobody ]; then
      capture "$d/$side" "$d/$side" "$in" "${AS_NOBODY[@]}" "$prog" -c "$CONF36" "$@"
    else
      capture "$d/$side" "$d/$side" "$in" "$prog" -c "$CONF36" "$@"
    fi
    listing "$d/$side" >"$d/$side.listing"
    for f in "$d/$side"/*.db "$d/$side"/*.lmdb; do
      [ -e "$f" ] || continue
      echo "== $(basename "$f")"
      dbrecords "$f"
    done >"$d/$side.records"
  done
  same "$label: output" "$d/pf" "$d/ours"
  same_files "$label: files after" "$d/pf.listing" "$d/ours.listing"
  same_files "$label: databases after" "$d/pf.records" "$d/ours.records"
}

# shellcheck disable=SC2016 # expanded by the setup's eval
PREV='printf "old 1\nkept 2\n" >t && /usr/sbin/postmap -c "$CONF36"'

# Missing, unreadable, unwritable.
for type in hash btree lmdb; do
  bad_case "postmap $type missing source" root "" /dev/null postmap "$type:nonexistent"
  bad_case "postmap -q $type missing database" root "" /dev/null postmap -q k "$type:nonexistent"
done
bad_case "postmap -s hash missing database" root "" /dev/null postmap -s hash:nonexistent
bad_case "postmap texthash missing" root "" /dev/null postmap -q k texthash:nonexistent
bad_case "postmap regexp missing" root "" /dev/null postmap -q k regexp:nonexistent
bad_case "postmap hash unreadable source" nobody \
  'chmod 777 .; printf "a 1\n" >t; chmod 000 t' /dev/null postmap hash:t
bad_case "postmap lmdb unreadable source" nobody \
  'chmod 777 .; printf "a 1\n" >t; chmod 000 t' /dev/null postmap lmdb:t
bad_case "postmap hash unwritable directory" nobody 'printf "a 1\n" >t; chmod 644 t' /dev/null postmap hash:t
bad_case "postmap lmdb unwritable directory" nobody 'printf "a 1\n" >t; chmod 644 t' /dev/null postmap lmdb:t
bad_case "postmap -q hash unreadable database" nobody \
  "$PREV hash:t; chmod 000 t.db" /dev/null postmap -q old hash:t
bad_case "postalias unreadable source" nobody \
  'chmod 777 .; printf "a: b\n" >al; chmod 000 al' /dev/null postalias hash:al

# Unknown types and bad specs.
bad_case "postmap unknown type" root 'printf "a 1\n" >t' /dev/null postmap foo:t
bad_case "postmap -q unknown type" root 'printf "a 1\n" >t' /dev/null postmap -q a foo:t
bad_case "postmap build of a read-only type" root 'printf "/a/ 1\n" >t' /dev/null postmap regexp:t
bad_case "postmap build of texthash" root 'printf "a 1\n" >t' /dev/null postmap texthash:t
bad_case "postalias unknown type" root 'printf "a: b\n" >al' /dev/null postalias foo:al

# A directory given as the source: Postfix's stream reads it as empty (an empty table, exit 0).
bad_case "postmap hash directory as source" root 'mkdir t' /dev/null postmap hash:t
bad_case "postalias hash directory as source" root 'mkdir t' /dev/null postalias hash:t

# Corrupt and zero-length databases.
GARBAGE='printf "a 1\n" >t; printf "%0512d" 7 >'
bad_case "postmap -q hash garbage db" root "${GARBAGE}t.db" /dev/null postmap -q a hash:t
bad_case "postmap -s btree garbage db" root "${GARBAGE}t.db" /dev/null postmap -s btree:t
bad_case "postmap -q lmdb garbage db" root "${GARBAGE}t.lmdb" /dev/null postmap -q a lmdb:t
# Postfix truncates the garbage in place (DB_TRUNCATE), and Berkeley DB reports on stderr
# every page it cannot decrypt; ours writes a new file beside it and renames it over, so
# the library never reads the garbage. The messages and exit code that are Postfix's own
# must still be equal.
STDERR_FILTER='/^BDB[0-9]{4} /d' bad_case "postmap hash rebuild over garbage" root "${GARBAGE}t.db" /dev/null postmap hash:t
bad_case "postmap btree rebuild over short garbage" root 'printf "a 1\n" >t; printf "not a database" >t.db' \
  /dev/null postmap btree:t
bad_case "postmap lmdb rebuild over garbage" root "${GARBAGE}t.lmdb" /dev/null postmap lmdb:t
bad_case "postmap -q btree on a hash db" root "$PREV hash:t" /dev/null postmap -q old btree:t
bad_case "postmap -q hash on a btree db" root "$PREV btree:t" /dev/null postmap -q old hash:t
bad_case "postmap hash zero-length db" root 'printf "a 1\n" >t; : >t.db' /dev/null postmap hash:t
bad_case "postmap -q hash zero-length db" root 'printf "a 1\n" >t; : >t.db' /dev/null postmap -q a hash:t
bad_case "postmap -q lmdb zero-length db" root 'printf "a 1\n" >t; : >t.lmdb' /dev/null postmap -q a lmdb:t
bad_case "postalias -q hash garbage db" root "printf 'a: b\n' >t; printf '%0512d' 7 >t.db" /dev/null postalias -q a hash:t

# One corrupted byte in a table that Postfix built (300 entries). Berkeley DB trusts the
# item offsets inside a page: a bad one makes both programs read past the page. For a
# btree table that is past the file's mapping, where Postfix happens to find its own
# libraries and we used to find an unreadable page (SIGBUS); for a hash table it is the
# heap. No crash, and the same answers, messages and exit codes; the one entry whose key
# comes from outside the file cannot match (Postfix prints bytes of its libraries).
# corrupt_case LABEL TYPE OFFSET BYTE ARGS...
corrupt_case() {
  local label=$1 type=$2 offset=$3 byte=$4 side prog
  shift 4
  local d="$WORK/c/${label//[^A-Za-z0-9_.-]/_}"
  mkdir -p "$d/table"
  seq 1 300 | sed 's/.*/key& value&/' >"$d/table/t"
  "$PF_SBIN/postmap" -c "$CONF36" "$type:$d/table/t"
  printf "\\x$byte" | dd of="$d/table/t.db" bs=1 seek="$offset" conv=notrunc 2>/dev/null
  for side in pf ours; do
    [ "$side" = pf ] && prog=$(pf_prog postmap) || prog=$(ours_prog postmap)
    capture "$d/$side" "$d/table" /dev/null "$prog" -c "$CONF36" "$@" "$type:t"
  done
  same "$label" "$d/pf" "$d/ours"
}
corrupt_case "postmap -q btree corrupt item offset" btree 12591 8e -q nothere
corrupt_case "postmap -q btree corrupt item offset, key on that page" btree 12591 8e -q key96
corrupt_case "postmap -q btree corrupt item offset, other key" btree 12591 8e -q key7
STDOUT_FILTER='/\tvalue96$/d' STDERR_FILTER='/empty lookup key value is not allowed/d' \
  corrupt_case "postmap -s btree corrupt item offset" btree 12591 8e -s
corrupt_case "postmap -q btree corrupt page header" btree 12290 ff -q key7
corrupt_case "postmap -s btree corrupt meta page" btree 40 ff -s
corrupt_case "postmap -q hash corrupt item offset" hash 8313 6d -q key143
corrupt_case "postmap -s hash corrupt item offset" hash 8313 6d -s
corrupt_case "postmap -q hash corrupt bucket page" hash 4110 ff -q key7

# An LMDB key over the limit: fatal, and the previous database must survive.
LONG='python3 -c "print(\"k\" * 600, \"v\")" >>t'
bad_case "postmap lmdb key too long, previous db" root "$PREV lmdb:t; $LONG" /dev/null postmap lmdb:t
bad_case "postmap lmdb key too long, new db" root "printf 'a 1\n' >t; $LONG" /dev/null postmap lmdb:t
bad_case "postalias lmdb name too long" root \
  "printf 'a: b\n' >t; python3 -c 'print(\"n\" * 600 + \": v\")' >>t" /dev/null postalias lmdb:t
bad_case "postmap -i lmdb key too long" root "$PREV lmdb:t" "$TESTDATA/postmap/longkeys" postmap -i lmdb:t
# Only malformed lines.
bad_case "postmap hash only bad lines" root \
  "printf '\"unbalanced x\nnovalue\n  leading\n' >t" /dev/null postmap hash:t

# Usage errors.
bad_case "postmap no arguments" root "" /dev/null postmap
bad_case "postmap -s and -q" root "$PREV hash:t" /dev/null postmap -s -q old hash:t
bad_case "postmap bad option" root "" /dev/null postmap -Z hash:t
bad_case "postmap -q without key" root "" /dev/null postmap -q
bad_case "postmap -b without -q -" root "$PREV hash:t" /dev/null postmap -b hash:t
bad_case "postmap -m alone" root "$PREV hash:t" /dev/null postmap -m -q old hash:t
bad_case "postalias no arguments" root "" /dev/null postalias
bad_case "postalias bad option" root "" /dev/null postalias -b al

# Deletes and incremental updates keep the rest of the table.
bad_case "postmap -d existing key" root "$PREV hash:t" /dev/null postmap -d old hash:t
bad_case "postmap -d missing key" root "$PREV lmdb:t" /dev/null postmap -d none lmdb:t
bad_case "postmap -d - keys" root "$PREV btree:t" "$TESTDATA/postmap/nul.keys" postmap -d - btree:t
bad_case "postmap -i" root "$PREV hash:t" "$TESTDATA/postmap/duplicates" postmap -i hash:t
bad_case "postmap -i lmdb" root "$PREV lmdb:t" "$TESTDATA/postmap/basic" postmap -i lmdb:t
bad_case "postalias -d" root "printf 'a: b\nc: d\n' >al; /usr/sbin/postalias -c \"\$CONF36\" hash:al" \
  /dev/null postalias -d a hash:al

finish
