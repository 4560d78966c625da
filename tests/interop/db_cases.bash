# Shared part of the postmap hash/btree/lmdb differential tests (postmap_hash.sh,
# postmap_btree.sh, postmap_lmdb.sh): one case builds a source file with Postfix's postmap
# and with ours and compares messages, exit codes, stored records, and -s / -q answers of
# each program on each database. Mirrors postmap(1) on Postfix 3.7's dict_db/dict_lmdb.
# shellcheck shell=bash
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash" "$@"

PF=$(pf_prog postmap)
OURS=$(ours_prog postmap)
CORPUS=$TESTDATA/postmap

# keys SRC: the query keys of a source file: each record's key as written, upper- and
# lower-cased, the entries of SRC.keys, and a miss.
keys() {
  awk '/^[ \t]/ || /^#/ || /^[ \t\r]*$/ { next } { print $1; print toupper($1); print tolower($1) }' "$1" |
    awk '!seen[$0]++' | head -n 200
  if [ -f "$1.keys" ]; then cat "$1.keys"; fi
  echo "no-such-key@example.com"
}

# db_case LABEL CONF TYPE SRC "BUILD OPTIONS" "QUERY OPTIONS"
db_case() {
  local label=$1 conf=$2 type=$3 src=$4 bopts=$5 qopts=$6
  local d="$WORK/c/${label//[^A-Za-z0-9_.-]/_}"
  local name sfx prog side reader db k
  name=$(basename "$src")
  [ "$type" = lmdb ] && sfx=.lmdb || sfx=.db
  mkdir -p "$d/pf" "$d/ours"
  cp "$src" "$d/pf/$name"
  cp "$src" "$d/ours/$name"
  keys "$src" >"$d/keys"

  # (c) build: messages and exit status.
  # shellcheck disable=SC2086
  capture "$d/b.pf" "$d/pf" /dev/null "$PF" -c "$conf" $bopts "$type:$name"
  # shellcheck disable=SC2086
  capture "$d/b.ours" "$d/ours" /dev/null "$OURS" -c "$conf" $bopts "$type:$name"
  same "$label: build output" "$d/b.pf" "$d/b.ours"

  # Stored bytes, NUL convention included.
  dbrecords "$d/pf/$name$sfx" >"$d/r.pf"
  dbrecords "$d/ours/$name$sfx" >"$d/r.ours"
  same_files "$label: stored records" "$d/r.pf" "$d/r.ours"

  # (a) Postfix reads ours, (b) ours reads Postfix's, (c) ours reads ours; each
  # against Postfix reading its own database.
  for reader in pf ours; do
    [ "$reader" = pf ] && prog=$PF || prog=$OURS
    for db in pf ours; do
      # shellcheck disable=SC2086
      capture "$d/s.$reader.$db" "$d/$db" /dev/null "$prog" -c "$conf" $qopts -s "$type:$name"
      # shellcheck disable=SC2086
      capture "$d/q.$reader.$db" "$d/$db" "$d/keys" "$prog" -c "$conf" $qopts -q - "$type:$name"
      [ "$reader" = "$db" ] || continue
      : >"$d/1.$reader.$db.out"
      : >"$d/1.$reader.$db.err"
      while IFS= read -r k; do
        # shellcheck disable=SC2086
        capture "$d/one" "$d/$db" /dev/null "$prog" -c "$conf" $qopts -q "$k" "$type:$name"
        { echo "-q $k => exit $(cat "$d/one.rc")"; cat "$d/one.out"; } >>"$d/1.$reader.$db.out"
        cat "$d/one.err" >>"$d/1.$reader.$db.err"
      done < <(head -n 1 "$d/keys"; tail -n 1 "$d/keys")
      echo 0 >"$d/1.$reader.$db.rc"
    done
  done
  for side in "pf.ours:postfix reads ours" "ours.pf:ours reads postfix's" "ours.ours:ours reads ours"; do
    same "$label: -s, ${side#*:}" "$d/s.pf.pf" "$d/s.${side%%:*}" sort
    same "$label: -q -, ${side#*:}" "$d/q.pf.pf" "$d/q.${side%%:*}"
  done
  same "$label: -q KEY" "$d/1.pf.pf" "$d/1.ours.ours"
}

# bigtable FILE: a 12,000-line table: addresses, domains, mixed case, some duplicates and
# continuations.
bigtable() {
  awk 'BEGIN {
    for (i = 1; i <= 12000; i++) {
      if (i % 1000 == 0) { printf "User%d@Example.COM dup-%d\n", i - 1, i; continue }
      if (i % 97 == 0) { printf "cont%d first\n  second %d\n", i, i; continue }
      if (i % 3 == 0) { printf "domain%d.example.net relay:[mx%d.example.net]\n", i, i; continue }
      printf "user%d@example.com user%d@mailbox.example.org\n", i, i
    } }' >"$1"
}

# corpus_cases TYPE: the corpus files every type is tested with.
corpus_cases() {
  local type=$1 f
  for f in basic duplicates quoting emptyval leading_ws utf8 crlf nofinalnl nofinalnl2 \
    special empty comments_only nul longvals; do
    db_case "$type 3.6 $f" "$CONF36" "$type" "$CORPUS/$f" "" ""
  done
  bigtable "$WORK/big"
  db_case "$type 3.6 big" "$CONF36" "$type" "$WORK/big" "" ""
  for f in basic utf8 crlf; do
    db_case "$type 0 $f" "$CONF0" "$type" "$CORPUS/$f" "" ""
  done
}
