#!/usr/bin/env bash
# Differential test of `postmap` with hash tables (Berkeley DB) against Postfix 3.7:
# the interop corpus, a 12,000-line table, long keys and the -f -u -r -n -N options.
# Usage: postmap_hash.sh BUILD_DIR/bin
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/db_cases.bash" "$@"

corpus_cases hash
db_case "hash 3.6 longkeys" "$CONF36" hash "$CORPUS/longkeys" "" ""
db_case "hash -f basic" "$CONF36" hash "$CORPUS/basic" "-f" "-f"
db_case "hash -f utf8" "$CONF36" hash "$CORPUS/utf8" "-f" "-f"
db_case "hash -u utf8" "$CONF36" hash "$CORPUS/utf8" "-u" "-u"
db_case "hash -r duplicates" "$CONF36" hash "$CORPUS/duplicates" "-r" ""
db_case "hash -n basic" "$CONF36" hash "$CORPUS/basic" "-n" ""
db_case "hash -n, query -N" "$CONF36" hash "$CORPUS/basic" "-n" "-N"
db_case "hash -N, query -n" "$CONF36" hash "$CORPUS/basic" "-N" "-n"
finish
