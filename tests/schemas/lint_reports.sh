#!/usr/bin/env bash
# Every JSON document `postline lint` writes, for every case of testdata/lint, must
# validate against schemas/lint-report.schema.json; every SARIF log must be a SARIF
# 2.1.0 log whose results name rules of its own driver. Also checks the exit status:
# 1 exactly when the case expects an error-severity finding.
# Usage: lint_reports.sh BUILD_DIR/bin
set -euo pipefail
bin=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
for case_dir in "$root"/testdata/lint/*/; do
  name=$(basename "$case_dir")
  d=$work/$name
  cp -r "$case_dir" "$d"
  # A case that replaces a built-in default (unit_lint can, the command cannot) is linted
  # with the host's default here: its document is validated, its exit status not.
  replaces_default=0
  lint_args=(-c "$d")
  if [ -f "$d/setup" ]; then
    # A case linted as a checkout (setup "root CONFIG_DIR") names its configuration
    # directory as the host sees it, under the case directory standing for /.
    root_config=$(awk '$1 == "root" { print $2 }' "$d/setup")
    if [ -n "$root_config" ]; then
      lint_args=(--root "$d" -c "$root_config")
    fi
    config=$d${root_config}
    while read -r verb arg extra; do
      case $verb in
        postmap | postalias) (cd "$d" && "$bin/$verb" -c "$config" "$arg" 2>/dev/null) ;;
        age) touch -d "@$(($(date +%s) - extra))" "$d/$arg" ;;
        remove) rm -f "$d/$arg" ;;
        configdir) sed -i "s|@CONFIG_DIR@|$d|g" "$d/$arg" ;;
        default) replaces_default=1 ;;
        root) ;;
        '' | '#'*) ;;
      esac
    done <"$d/setup"
  fi
  rc=0
  "$bin/postline" lint "${lint_args[@]}" --format json >"$work/$name.json" || rc=$?
  "$bin/postline" lint "${lint_args[@]}" --format sarif >"$work/$name.sarif" || true
  # The error-severity rules, from the catalogue that every SARIF log carries (the same
  # in each, so read once: a Python start per case would dominate the run time).
  if [ -z "${errors:-}" ]; then
    errors=$(python3 -c 'import json, sys
rules = json.load(open(sys.argv[1]))["runs"][0]["tool"]["driver"]["rules"]
print("|".join(r["id"] for r in rules if r["defaultConfiguration"]["level"] == "error"))' "$work/$name.sarif")
  fi
  want=0
  if grep -qE "^($errors) " "$d/expected"; then
    want=1
  fi
  if ((!replaces_default)) && [ "$rc" != "$want" ]; then
    echo "FAIL $name: exit $rc, expected $want"
    fail=1
  fi
done
python3 "$root/tests/schemas/validate.py" "$root/schemas/lint-report.schema.json" "$work"/*.json || fail=1
python3 - "$work"/*.sarif <<'PY' || fail=1
import json, sys
bad = 0
for path in sys.argv[1:]:
    log = json.load(open(path))
    run = log["runs"][0]
    rules = {r["id"] for r in run["tool"]["driver"]["rules"]}
    ok = log.get("version") == "2.1.0" and "$schema" in log and all(
        r["ruleId"] in rules and r["level"] in ("error", "warning", "note") and r["message"]["text"]
        and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in run["results"])
    if not ok:
        print(f"{path}: not a valid SARIF 2.1.0 lint log")
        bad += 1
sys.exit(1 if bad else 0)
PY
n=$(ls "$work"/*.json | wc -l)
[ "$fail" = 0 ] && echo "lint reports: $n cases valid"
exit "$fail"
