#!/usr/bin/env bash
# Differential test of `postmap` with btree tables (Berkeley DB) against Postfix 3.7:
# the interop corpus, a 12,000-line table, long keys and the -w -n options.
# Usage: postmap_btree.sh BUILD_DIR/bin
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/db_cases.bash" "$@"

corpus_cases btree
db_case "btree 3.6 longkeys" "$CONF36" btree "$CORPUS/longkeys" "" ""
db_case "btree -w duplicates" "$CONF36" btree "$CORPUS/duplicates" "-w" ""
db_case "btree -f utf8" "$CONF36" btree "$CORPUS/utf8" "-f" "-f"
db_case "btree -n, query -N" "$CONF36" btree "$CORPUS/basic" "-n" "-N"
finish
