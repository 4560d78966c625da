#!/usr/bin/env bash
# Runs the example configuration's routing tests (testdata/example/routing.tests) with
# `postline test`, in a scratch copy of testdata/example whose indexed tables are built
# first with our postmap and postalias. Usage: bash tests/example/routing.sh BUILD_DIR/bin
set -euo pipefail
bin=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -a "$root/testdata/example/." "$work/"
# The tables main.cf names as $config_directory/NAME, with their types.
"$bin/postalias" -c "$work" "hash:$work/aliases"
for spec in hash:canonical lmdb:sender_canonical hash:virtual hash:relocated btree:transport \
  hash:client_access hash:sender_access lmdb:recipient_access hash:sender_login; do
  "$bin/postmap" -c "$work" "${spec%%:*}:$work/${spec#*:}"
done
"$bin/postline" test -c "$work" "$work/routing.tests"
