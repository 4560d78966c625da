#!/usr/bin/env bash
# Differential test of `postmap` with lmdb tables against Postfix 3.7: the interop
# corpus, a 12,000-line table, keys at the LMDB key size limit (510 bytes + NUL), the
# -u -r -n options, and empty and NUL query keys. (Longer keys are a fatal error;
# bad_input.sh checks that case.)
# Usage: postmap_lmdb.sh BUILD_DIR/bin
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/db_cases.bash" "$@"

corpus_cases lmdb
db_case "lmdb 3.6 510-byte keys" "$CONF36" lmdb "$CORPUS/lmdb_okkey" "" ""
db_case "lmdb -u utf8" "$CONF36" lmdb "$CORPUS/utf8" "-u" "-u"
db_case "lmdb -r duplicates" "$CONF36" lmdb "$CORPUS/duplicates" "-r" ""
db_case "lmdb -n basic" "$CONF36" lmdb "$CORPUS/basic" "-n" ""
db_case "lmdb -n, query -N" "$CONF36" lmdb "$CORPUS/basic" "-n" "-N"
# An empty query key is LMDB's MDB_BAD_VALSIZE, fatal in Postfix; a key ends at a NUL.
db_case "lmdb -n, empty and NUL query keys" "$CONF36" lmdb "$CORPUS/nul" "-n" "-n"
# A table that outgrows the initial 16 MiB map: both restart the build with a larger map.
# Run without SMTPUTF8 (compatibility level 0): with it, Postfix 3.7's restart leaves
# its UTF-8 wrapper half-unwound (dict_utf8_update() clears the fold flags around the
# inner update that longjmps out), so every key of the restarted build is stored
# unfolded and mixed-case keys can no longer be found. Ours folds them; see docs/tables.md.
awk 'BEGIN { for (i = 0; i < 220000; i++) printf "User%d@Example.com\tv%d\n", i, i }' >"$WORK/growth"
db_case "lmdb map growth (220,000 entries)" "$CONF0" lmdb "$WORK/growth" "" ""
finish
