#!/usr/bin/env bash
# Differential test of `postmap -q` / `-s` on the non-indexed table types against
# Postfix 3.7: regexp, pcre, cidr (testdata/interop/patterns/*.{regexp,pcre,cidr} with
# their .keys), texthash (the postmap corpus), and inline, static, unionmap, pipemap and
# in-line regexp/pcre/cidr specs (patterns/maps.list), deliberate mistakes included.
# Usage: postmap_patterns.sh BUILD_DIR/bin
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.bash" "$@"

PF=$(pf_prog postmap)
OURS=$(ours_prog postmap)
PAT=$TESTDATA/patterns

# Both programs run in the same directory (read-only lookups), so file names in messages
# are the same.
RUN="$WORK/run"
mkdir -p "$RUN"
cp "$PAT"/*.regexp "$PAT"/*.pcre "$PAT"/*.cidr "$PAT"/table.texthash "$RUN"/
for f in basic duplicates quoting emptyval leading_ws utf8 crlf nofinalnl special nul; do
  cp "$TESTDATA/postmap/$f" "$RUN/$f"
done

# lookup_case LABEL CONF SPEC KEYS-FILE SINGLE-KEYS S
# Compares `-q -` with KEYS-FILE, `-q KEY` for the first SINGLE-KEYS keys (all: 0), and
# `-s` when S is "s".
lookup_case() {
  local label=$1 conf=$2 spec=$3 keys=$4 nsingle=$5 seq=$6
  local d="$WORK/c/${label//[^A-Za-z0-9_.-]/_}" side prog k
  mkdir -p "$d"
  capture "$d/q.pf" "$RUN" "$keys" "$PF" -c "$conf" -q - "$spec"
  capture "$d/q.ours" "$RUN" "$keys" "$OURS" -c "$conf" -q - "$spec"
  same "$label: -q -" "$d/q.pf" "$d/q.ours"
  # A spec Postfix rejects outright was checked by `-q -` (each fatal error costs Postfix
  # a one-second pause, so it is not repeated).
  if grep -q ': fatal: ' "$d/q.pf.err"; then return; fi
  for side in pf ours; do
    [ "$side" = pf ] && prog=$PF || prog=$OURS
    : >"$d/1.$side.out"
    : >"$d/1.$side.err"
    while IFS= read -r k; do
      capture "$d/one" "$RUN" /dev/null "$prog" -c "$conf" -q "$k" "$spec"
      { echo "-q $k => exit $(cat "$d/one.rc")"; cat "$d/one.out"; } >>"$d/1.$side.out"
      cat "$d/one.err" >>"$d/1.$side.err"
    done < <(if [ "$nsingle" = 0 ]; then cat "$keys"; else head -n "$nsingle" "$keys"; fi)
    echo 0 >"$d/1.$side.rc"
    if [ "$seq" = s ]; then capture "$d/s.$side" "$RUN" /dev/null "$prog" -c "$conf" -s "$spec"; fi
  done
  same "$label: -q KEY" "$d/1.pf" "$d/1.ours"
  if [ "$seq" = s ]; then same "$label: -s" "$d/s.pf" "$d/s.ours" sort; fi
}

for f in good bad; do
  lookup_case "regexp $f" "$CONF36" "regexp:$f.regexp" "$PAT/$f.regexp.keys" 12 ""
  lookup_case "pcre $f" "$CONF36" "pcre:$f.pcre" "$PAT/$f.pcre.keys" 12 ""
done
lookup_case "regexp good, compatibility_level 0" "$CONF0" "regexp:good.regexp" "$PAT/good.regexp.keys" 3 s
lookup_case "pcre good, compatibility_level 0" "$CONF0" "pcre:good.pcre" "$PAT/good.pcre.keys" 3 ""
for f in good v6 ifs bad; do
  lookup_case "cidr $f" "$CONF36" "cidr:$f.cidr" "$PAT/$f.cidr.keys" 12 ""
done
lookup_case "cidr good -s" "$CONF36" "cidr:good.cidr" "$PAT/good.cidr.keys" 1 s

# texthash over the postmap corpus, with the keys the hash tests use.
for f in basic duplicates quoting emptyval leading_ws utf8 crlf nofinalnl special nul; do
  {
    awk '/^[ \t]/ || /^#/ || /^[ \t\r]*$/ { next } { print $1; print toupper($1) }' "$RUN/$f"
    if [ -f "$TESTDATA/postmap/$f.keys" ]; then cat "$TESTDATA/postmap/$f.keys"; fi
    echo no-such-key
  } >"$WORK/$f.keys"
  lookup_case "texthash $f" "$CONF36" "texthash:$f" "$WORK/$f.keys" 2 s
done
lookup_case "texthash utf8, compatibility_level 0" "$CONF0" "texthash:utf8" "$WORK/utf8.keys" 2 s

# In-line and composite tables, one spec per line of maps.list.
n=0
while IFS= read -r spec; do
  n=$((n + 1))
  # -s where it works (inline, texthash) and once per type where it is refused.
  case $spec in
    inline:* | texthash:* | static:value | 'unionmap:{inline'* | 'pipemap:{inline:{a=b}, inline:{b=c}}') seq=s ;;
    *) seq= ;;
  esac
  lookup_case "spec $n $spec" "$CONF36" "$spec" "$PAT/maps.keys" 2 "$seq"
done <"$PAT/maps.list"

finish
