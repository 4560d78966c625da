#!/usr/bin/env bash
# Differential test of `postalias` and `newaliases` against Postfix 3.7: the aliases
# corpus (testdata/interop/aliases) built as hash, btree and lmdb by both programs, the
# stored records (the `@` sentinel and YP_* entries included; the YP_LAST_MODIFIED time
# is blanked), `-s` / `-q` answers across programs, and newaliases with alias_database.
# Usage: postalias.sh BUILD_DIR/bin
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/db_cases.bash" "$@"

# shellcheck disable=SC2034 # used by db_case and render
PF=$(pf_prog postalias)
# shellcheck disable=SC2034
OURS=$(ours_prog postalias)
CORPUS=$TESTDATA/aliases
export IGNORE_YP=1
# shellcheck disable=SC2034
STDOUT_FILTER='s/^(YP_LAST_MODIFIED[:	]*)[0-9]{10}$/\1(time)/'

# keys SRC: the names of an aliases file as written (before the colon), upper-cased, the
# entries of SRC.keys, and a miss.
keys() {
  awk -F: '/^[ \t]/ || /^#/ || /^[ \t\r]*$/ { next } { print $1; print toupper($1) }' "$1" |
    awk '!seen[$0]++'
  if [ -f "$1.keys" ]; then cat "$1.keys"; fi
  echo "no-such-alias"
}

for f in aliases bad duplicates utf8 crlf nofinalnl sentinel empty; do
  db_case "postalias hash 3.6 $f" "$CONF36" hash "$CORPUS/$f" "" ""
done
for type in btree lmdb; do
  for f in aliases bad duplicates utf8 sentinel; do
    db_case "postalias $type 3.6 $f" "$CONF36" "$type" "$CORPUS/$f" "" ""
  done
done
for f in aliases utf8; do
  db_case "postalias hash 0 $f" "$CONF0" hash "$CORPUS/$f" "" ""
done
db_case "postalias hash -w duplicates" "$CONF36" hash "$CORPUS/duplicates" "-w" ""
db_case "postalias lmdb -r duplicates" "$CONF36" lmdb "$CORPUS/duplicates" "-r" ""
db_case "postalias hash -f aliases" "$CONF36" hash "$CORPUS/aliases" "-f" "-f"
db_case "postalias hash -u utf8" "$CONF36" hash "$CORPUS/utf8" "-u" "-u"
db_case "postalias hash -n aliases" "$CONF36" hash "$CORPUS/aliases" "-n" ""
db_case "postalias hash -N, query -n" "$CONF36" hash "$CORPUS/aliases" "-N" "-n"

# newaliases: the paths in alias_database are absolute and appear in messages, so both
# programs run in the same directory, one after the other.
# newaliases_case LABEL ALIAS_DATABASE ARGS... (@D@ in ALIAS_DATABASE and ARGS is the
# directory holding the aliases sources).
newaliases_case() {
  local label=$1 adb=$2
  shift 2
  local d="$WORK/na/${label//[^A-Za-z0-9_.-]/_}" side prog f a
  local run="$d/run" conf="$d/conf"
  mkdir -p "$conf"
  printf 'compatibility_level = 3.6\nmyhostname = mx.example.org\nalias_database = %s\n' \
    "${adb//@D@/$run}" >"$conf/main.cf"
  touch -d '1 hour ago' "$conf/main.cf"
  local args=()
  for a in "$@"; do args+=("${a//@D@/$run}"); done
  for side in pf ours; do
    [ "$side" = pf ] && prog=/usr/bin/newaliases || prog=$OURS_BIN/newaliases
    rm -rf "$run"
    mkdir -p "$run"
    cp "$CORPUS/aliases" "$CORPUS/bad" "$CORPUS/duplicates" "$run"/
    MAIL_CONFIG=$conf capture "$d/$side" "$run" /dev/null "$prog" "${args[@]}"
    listing "$run" >"$d/$side.listing"
    for f in "$run"/*.db "$run"/*.lmdb; do
      [ -e "$f" ] || continue
      echo "== $(basename "$f")"
      dbrecords "$f"
    done >"$d/$side.records"
  done
  same "$label: output" "$d/pf" "$d/ours"
  same_files "$label: files" "$d/pf.listing" "$d/ours.listing"
  same_files "$label: stored records" "$d/pf.records" "$d/ours.records"
}

newaliases_case "newaliases hash" "hash:@D@/aliases"
newaliases_case "newaliases two maps" "hash:@D@/aliases, lmdb:@D@/bad btree:@D@/duplicates"
newaliases_case "newaliases -oA" "hash:@D@/aliases" "-oAhash:@D@/bad"
newaliases_case "newaliases missing source" "hash:@D@/aliases, hash:@D@/nonexistent"
newaliases_case "newaliases empty alias_database" ""

finish
