#!/usr/bin/env bash
# postconf's JSON Lines output (-j, -jn, -jd, -jx, -jM, -jF, -jP) on every test
# configuration (testdata/example and testdata/interop/postconf/*): each line must validate
# against its schema in schemas/, and carry the same entries, in the same order, as the
# text mode (-n, -M, -F, -P ...), values equal once whitespace is collapsed the way the
# text mode collapses it. A few values are also checked one by one.
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
for schema in main:'' master:M master-field:F master-parameter:P; do
  files=$(ls "$work"/*.jsonl | grep -E "\.j[nxd]*\.jsonl$" || true)
  [ "${schema#*:}" != "" ] && files=$(ls "$work"/*.j"${schema#*:}"*.jsonl)
  # shellcheck disable=SC2086
  python3 "$root/tests/schemas/validate.py" --lines "$root/schemas/postconf-${schema%%:*}.schema.json" $files || fail=1
done
# The JSON and the text listings agree, entry by entry, and keys come in the documented order.
python3 - "$work" <<'PY' || fail=1
import glob, json, os, re, sys
work = sys.argv[1]
KEYS = {
    "main": ["parameter", "value"],
    "M": ["service", "type", "private", "unprivileged", "chroot", "wakeup", "process_limit", "command"],
    "F": ["service", "type", "field", "value"],
    "P": ["service", "type", "parameter", "value"],
}
bad = 0
for jpath in sorted(glob.glob(os.path.join(work, "*.jsonl"))):
    opts = os.path.basename(jpath)[: -len(".jsonl")].rsplit(".j", 1)[1]
    # With -x, $process_id expands to each run's own pid: numbers are masked there.
    def words(s):
        s = " ".join(s.split())
        return re.sub("[0-9]+", "N", s) if "x" in opts else s
    kind = opts[0] if opts[:1] in ("M", "F", "P") else "main"
    objs = [json.loads(line, object_pairs_hook=list) for line in open(jpath, encoding="utf-8")]
    text = open(jpath[: -len("jsonl")] + "txt", encoding="utf-8").read().splitlines()
    if kind == "M":
        want = [[words(w) for w in l.split()[:7] + [" ".join(l.split()[7:])]] for l in text]
        got = [[words(v) for _, v in o] for o in objs]
    elif kind == "main":
        want = [l.split(" = ", 1) if " = " in l else [l[:-2], ""] for l in text]
        want = [[n, words(v)] for n, v in want]
        got = [[o[0][1], words(o[1][1])] for o in objs]
        # process_id is the pid of each run.
        got = [g for g in got if g[0] != "process_id"]
        want = [w for w in want if w[0] != "process_id"]
    else:
        want = [l.split(" = ", 1) if " = " in l else [l[:-2], ""] for l in text]
        want = [[n, words(v)] for n, v in want]
        got = [["/".join(v for _, v in o[:3]), words(o[3][1])] for o in objs]
    keys_ok = all([k for k, _ in o] == KEYS[kind] for o in objs)
    if got != want or not keys_ok or (not objs and kind in ("main", "M", "F")):
        first = next((i for i, (g, w) in enumerate(zip(got, want)) if g != w), min(len(got), len(want)))
        print(f"FAIL {os.path.basename(jpath)}: differs from the text listing at entry {first}"
              f" ({len(got)} JSON lines, {len(want)} text lines, keys in order: {keys_ok})")
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
check example.jn.jsonl '{"parameter": "mydomain", "value": "example.com"}'
check example.jnx.jsonl '{"parameter": "myorigin", "value": "example.com"}'
check example.jd.jsonl '{"parameter": "mail_name", "value": "Postfix"}'
check example.jP.jsonl '{"service": "submission", "type": "inet", "parameter": "smtpd_tls_security_level", "value": "encrypt"}'
check example.jF.jsonl '{"service": "pickup", "type": "unix", "field": "wakeup", "value": "60"}'
check example.jM.jsonl '{"service": "smtps", "type": "inet", "private": "n", "unprivileged": "-", "chroot": "n", "wakeup": "-", "process_limit": "-", "command": "smtpd -o syslog_name=postfix/smtps -o smtpd_tls_wrappermode=yes -o smtpd_sasl_auth_enable=yes"}'
[ "$fail" = 0 ] && echo "postconf JSON: $n listings valid"
exit "$fail"
