#!/usr/bin/env bash
# The documents of a compiled generation must validate against their schemas:
# manifest.json (compile-manifest), config.json (compile-graph) and lint.json (lint-report),
# for testdata/example (its TLS certificate and key and its staff list, which the
# example only names, are made here), for clean lint cases, for the distributions'
# configurations (compiled under --root), and for a recompile that reuses every table.
# Usage: compile.sh BUILD_DIR/bin
set -euo pipefail
bin=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
fail=0
docs=()

compile_case() { # compile_case NAME CONFIG_DIR [OUTDIR [ROOT]]
  local name=$1 dir=$2 out=${3:-$work/out-$1} root_args=()
  [ -n "${4:-}" ] && root_args=(--root "$4")
  if ! "$bin/postline" compile "${root_args[@]}" -c "$dir" -o "$out" >"$work/$name.log" 2>&1; then
    echo "FAIL $name: postline compile failed:"
    cat "$work/$name.log"
    fail=1
    return
  fi
  cp "$out/current/manifest.json" "$work/$name.manifest.json"
  cp "$out/current/config.json" "$work/$name.config.json"
  cp "$out/current/lint.json" "$work/$name.lint.json"
  docs+=("$name")
}

# testdata/example, with a certificate, key and staff list where it names them.
ex=$work/example
cp -r "$root/testdata/example" "$ex"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=mx1.example.com \
  -keyout "$ex/key.pem" -out "$ex/cert.pem" 2>/dev/null
sed -i "s|^smtpd_tls_cert_file = .*|smtpd_tls_cert_file = $ex/cert.pem|; s|^smtpd_tls_key_file = .*|smtpd_tls_key_file = $ex/key.pem|" \
  "$ex/main.cf"
mkdir -p "$ex/lists"
printf 'alice\nbob\n' >"$ex/lists/staff"
sed -i "s|:include:/etc/postfix/lists/staff|:include:$ex/lists/staff|" "$ex/aliases"
compile_case example "$ex"
compile_case example-again "$ex" "$work/out-example"
if ! grep -q '"action": "reused"' "$work/example-again.manifest.json" ||
  grep -q '"action": "built"' "$work/example-again.manifest.json"; then
  echo "FAIL example-again: a recompile of unchanged tables built some again"
  fail=1
fi

for case_dir in "$root"/testdata/lint/clean-*/; do
  name=$(basename "$case_dir")
  d=$work/$name
  cp -r "$case_dir" "$d"
  compile_case "$name" "$d"
done

# The distributions' configurations, linted as checkouts of configuration repositories
# (the case's directory stands for /, its setup names the configuration directory): each
# must compile, its tables included.
for case_dir in "$root"/testdata/lint/dist-*/; do
  name=$(basename "$case_dir")
  d=$work/$name
  cp -r "$case_dir" "$d"
  conf=$(awk '$1 == "root" { print $2 }' "$d/setup")
  compile_case "$name" "$conf" "$work/out-$name" "$d"
done

# A table that only a default names and whose source is missing (the alias_maps default,
# hash:/etc/aliases, on a host without it: the unit tests compile one) is recorded without
# a compiled file; the schema must take that shape and refuse it for other tables.
python3 - "$work/example.config.json" "$work/missing.config.json" "$work/bad-missing.config.json" <<'PY'
import copy, json, sys
graph = json.load(open(sys.argv[1]))
good, bad = copy.deepcopy(graph), copy.deepcopy(graph)
indexed = next(t for t in good["tables"] if t["kind"] == "indexed")
indexed.update(compiled=None, open=indexed["reference"], source_missing=True)
indexed["used_by"] = [{"parameter": "alias_maps", "origin": "default"}]
json.dump(good, open(sys.argv[2], "w"))
next(t for t in bad["tables"] if t["kind"] == "indexed")["source_missing"] = True  # but compiled
json.dump(bad, open(sys.argv[3], "w"))
PY
python3 "$root/tests/schemas/validate.py" "$root/schemas/compile-graph.schema.json" "$work/missing.config.json" || fail=1
if python3 "$root/tests/schemas/validate.py" "$root/schemas/compile-graph.schema.json" "$work/bad-missing.config.json" >/dev/null; then
  echo "FAIL compile-graph schema: a compiled table marked source_missing was accepted"
  fail=1
fi

manifests=() graphs=() reports=()
for name in "${docs[@]}"; do
  manifests+=("$work/$name.manifest.json")
  graphs+=("$work/$name.config.json")
  reports+=("$work/$name.lint.json")
done
python3 "$root/tests/schemas/validate.py" "$root/schemas/compile-manifest.schema.json" "${manifests[@]}" || fail=1
python3 "$root/tests/schemas/validate.py" "$root/schemas/compile-graph.schema.json" "${graphs[@]}" || fail=1
python3 "$root/tests/schemas/validate.py" "$root/schemas/lint-report.schema.json" "${reports[@]}" || fail=1
[ "$fail" = 0 ] && echo "compile documents: ${#docs[@]} generations valid"
exit "$fail"
