#!/usr/bin/env bash
# postconf's JSON Lines output (-j, -jn, -jd, -jx, -jM, -jF, -jP, Postfix 3.11's format)
# on every test configuration (testdata/example and testdata/interop/postconf/*): each
# line must validate against its schema in schemas/ and carry the same entries, in the
# same order, as the text mode (-n, -M, -F, -P ...), values equal once whitespace is
# collapsed the way the text mode collapses it. A few values are also checked one by one.
# Usage: postconf.sh BUILD_DIR/bin
set -euo pipefail
bin=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
n=0
for src in "$root"/testdata/example "$root"/testdata/interop/postconf/*/; do
  name=$(basename "$src")
  d=$work/$name
  mkdir "$d"
  cp "$src"/main.cf "$d"/
  # A configuration without master.cf borrows Debian's stock one.
  cp "$src"/master.cf "$d"/ 2>/dev/null || cp "$root"/testdata/interop/postconf/default/master.cf "$d"/
  for opts in "" n d x nx M Mx F Fx P Px; do
    if ! "$bin/postconf" -c "$d" "-j$opts" >"$work/$name.j$opts.jsonl" 2>/dev/null ||
      ! "$bin/postconf" -c "$d" ${opts:+"-$opts"} >"$work/$name.j$opts.txt" 2>/dev/null; then
      echo "FAIL $name -j$opts: non-zero exit"
      fail=1
    fi
    n=$((n + 1))
  done
done
# One validator run per schema (Python start-up dominates on a busy machine).
# shellcheck disable=SC2046
python3 "$root/tests/schemas/validate.py" --lines "$root/schemas/postconf-main.schema.json" \
  $(ls "$work"/*.jsonl | grep -E "\.j[nxd]*\.jsonl$") || fail=1
# shellcheck disable=SC2046
python3 "$root/tests/schemas/validate.py" --lines "$root/schemas/postconf-master.schema.json" \
  $(ls "$work"/*.j[MFP]*.jsonl) || fail=1
# The JSON and the text listings agree, entry by entry: same keys (the text's names), same
# values once whitespace is collapsed as the text mode collapses it.
python3 - "$work" <<'PY' || fail=1
import glob, json, os, re, sys
work = sys.argv[1]
bad = 0
for jpath in sorted(glob.glob(os.path.join(work, "*.jsonl"))):
    opts = os.path.basename(jpath)[: -len(".jsonl")].rsplit(".j", 1)[1]
    # With -x, $process_id expands to each run's own pid: numbers are masked there.
    def words(s):
        s = " ".join(s.split())
        return re.sub("[0-9]+", "N", s) if "x" in opts else s
    objs = [json.loads(line, object_pairs_hook=list) for line in open(jpath, encoding="utf-8")]
    text = open(jpath[: -len("jsonl")] + "txt", encoding="utf-8").read().splitlines()
    if opts.startswith("M"):
        want = [["/".join(l.split()[:2]), words(l)] for l in text]
    else:
        want = [l.split(" = ", 1) if " = " in l else [l[:-2], ""] for l in text]
        want = [[n, words(v)] for n, v in want]
    got = [[o[0][0], words(o[0][1])] for o in objs]
    # process_id is the pid of each run.
    got = [g for g in got if g[0] != "process_id"]
    want = [w for w in want if w[0] != "process_id"]
    one_member = all(len(o) == 1 for o in objs)
    if got != want or not one_member or (not objs and not opts.startswith("P")):
        first = next((i for i, (g, w) in enumerate(zip(got, want)) if g != w), min(len(got), len(want)))
        print(f"FAIL {os.path.basename(jpath)}: differs from the text listing at entry {first}"
              f" ({len(got)} JSON lines, {len(want)} text lines, one member each: {one_member})")
        bad += 1
sys.exit(1 if bad else 0)
PY
# Values checked one by one.
check() {
  local file=$1 want=$2
  if ! grep -qxF -- "$want" "$work/$file"; then
    echo "FAIL $file: missing line $want"
    fail=1
  fi
}
check example.jn.jsonl '{"mydomain": "example.com"}'
check example.jnx.jsonl '{"myorigin": "example.com"}'
check example.jd.jsonl '{"mail_name": "Postfix"}'
check example.jP.jsonl '{"submission/inet/smtpd_tls_security_level": "encrypt"}'
check example.jF.jsonl '{"pickup/unix/wakeup": "60"}'
check example.jM.jsonl '{"smtps/inet": "smtps inet n - n - - smtpd -o syslog_name=postfix/smtps -o smtpd_tls_wrappermode=yes -o smtpd_sasl_auth_enable=yes"}'
check rich.jPx.jsonl '{"relay/unix/syslog_name": "postfix/relay"}'
check rich.jM.jsonl '{"smtp/inet": "smtp inet n - y - - smtpd -o smtpd_tls_security_level=may -o {smtpd_client_restrictions=permit_mynetworks, reject}"}'
[ "$fail" = 0 ] && echo "postconf JSON: $n listings valid"
exit "$fail"
