#!/usr/bin/env bash
# Differential test of `postline trace` against a running Postfix 3.7: for each
# configuration under testdata/interop/routing/, a private Postfix instance (its own
# configuration directory, queue, data directory, spool and log under a scratch
# directory; smtpd on 127.0.0.1 only; smtp, relay, lmtp and virtual are discard(8))
# receives one message per address of the configuration's `addresses` file, and what it
# replied and logged is compared with what `postline trace --format json` predicts
# (tests/interop/trace_routing.bash, trace_compare.py).
# Usage: tests/interop/trace_postfix.sh BUILD_DIR/bin (as root). ROUTING_ONLY="NAME …"
# runs only those configurations (while working on one); PF_PORT picks another port.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/lib.bash"
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
# shellcheck source=tests/interop/trace_routing.bash
source "$HERE/trace_routing.bash"

pf_instance_guard trace_postfix
if [ ! -x "$OURS_BIN/postline" ]; then
  echo "trace_postfix: $OURS_BIN/postline is not built" >&2
  exit 1
fi
ROUTING_BIN=/usr/sbin
ROUTING_POSTQUEUE=/usr/sbin/postqueue
ROUTING_MTA=postfix
ROUTING_PORT=$PF_PORT

# Queue and data directories are shared by the configurations, one after the other.
PF=$WORK/postfix
mkdir -p "$PF/queue" "$PF/data"
chown postfix "$PF/data"

routing_start() {
  local conf=$1
  # After the first start has checked and created the queue, later starts skip
  # postfix-script's integrity check (the quick-start file), which takes seconds.
  if [ -d "$PF/queue/pid" ]; then touch "$PF/queue/quick-start"; fi
  if ! /usr/sbin/postfix -c "$conf" start >"$WORK/start.log" 2>&1; then
    cat "$WORK/start.log" >&2
    return 1
  fi
  RUNNING=$conf
}
routing_stop() { stop_instance; }

routing_all "$PF/queue" "$PF/data"
finish
