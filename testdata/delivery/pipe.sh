#!/bin/sh
# The pipe(8) command of the delivery integration test (master.cf service pipetest):
# records its arguments and the message in out/pipe.out beside the configuration.
out=$(dirname "$0")/../out/pipe.out
for arg in "$@"; do printf 'arg: %s\n' "$arg"; done >>"$out"
cat >>"$out"
