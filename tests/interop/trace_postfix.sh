#!/usr/bin/env bash
# Differential test of `postline trace` against a running Postfix 3.7: for each
# configuration under testdata/interop/routing/, a private Postfix instance (its own
# configuration directory, queue, data directory, spool and log under a scratch
# directory; smtpd on 127.0.0.1 only; smtp, relay, lmtp and virtual are discard(8))
# receives one message per address of the configuration's `addresses` file, and what it
# replied and logged is compared with what `postline trace --format json` predicts.
# Usage: tests/interop/trace_postfix.sh BUILD_DIR/bin (as root). ROUTING_ONLY="NAME …"
# runs only those configurations (while working on one); PF_PORT picks another port.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/lib.bash"
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
ROUTING=$TESTDATA/routing

pf_instance_guard trace_postfix
if [ ! -x "$OURS_BIN/postline" ]; then
  echo "trace_postfix: $OURS_BIN/postline is not built" >&2
  exit 1
fi

# Queue and data directories are shared by the configurations, one after the other.
PF=$WORK/postfix
mkdir -p "$PF/queue" "$PF/data"
chown postfix "$PF/data"

# setup_config NAME: the instance's configuration directory for testdata/interop/routing/NAME.
# Files are copied with @ROOT@ replaced by the configuration's scratch directory; main.cf
# is the configuration's own, followed by the shared settings it does not set itself.
setup_config() {
  local name=$1 src=$ROUTING/$1 root=$WORK/$1
  local conf=$root/conf
  mkdir -p "$conf" "$root/spool" "$root/out"
  chmod 1777 "$root/spool" "$root/out"
  local f base
  for f in "$src"/*; do
    base=$(basename "$f")
    case $base in addresses | build | master.cf | sender) continue ;; esac
    sed "s|@ROOT@|$root|g" "$f" >"$conf/$base"
  done
  pf_main_cf "$WORK/shared.cf" "$root"
  sed -i "s|^queue_directory = .*|queue_directory = $PF/queue|; s|^data_directory = .*|data_directory = $PF/data|" "$WORK/shared.cf"
  local line key
  while IFS= read -r line; do
    key=${line%% =*}
    grep -q "^$key *=" "$conf/main.cf" || printf '%s\n' "$line" >>"$conf/main.cf"
  done <"$WORK/shared.cf"
  pf_master_cf "$conf/master.cf"
  if [ -f "$src/master.cf" ]; then sed "s|@ROOT@|$root|g" "$src/master.cf" >>"$conf/master.cf"; fi
  touch -d '1 hour ago' "$conf/main.cf"
  chmod -R a+rX "$root"
  if [ -f "$src/build" ]; then
    local cmd arg
    while read -r cmd arg; do
      case $cmd in '' | '#'*) continue ;; esac
      (cd "$conf" && "/usr/sbin/$cmd" -c "$conf" "$arg") || {
        echo "trace_postfix: $name: $cmd $arg failed" >&2
        return 1
      }
    done <"$src/build"
  fi
}

start_instance() {
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

for dir in "$ROUTING"/*/; do
  name=$(basename "$dir")
  if [ -n "${ROUTING_ONLY:-}" ] && [[ " $ROUTING_ONLY " != *" $name "* ]]; then continue; fi
  root=$WORK/$name
  t0=$(date +%s%3N)
  if ! setup_config "$name" || ! start_instance "$root/conf"; then
    bad "$name: Postfix instance set-up" "$root/maillog"
    continue
  fi
  t1=$(date +%s%3N)
  sender=
  if [ -f "$dir/sender" ]; then sender=$(cat "$dir/sender"); fi
  python3 "$HERE/trace_compare.py" --name "$name" --port "$PF_PORT" --conf "$root/conf" \
    --log "$root/maillog" --trace "$OURS_BIN/postline" --addresses "$dir/addresses" \
    --sender "$sender" --details "$WORK/details" >"$WORK/compare.out" 2>"$WORK/compare.err"
  status=$?
  while IFS=$'\t' read -r line details; do
    case $line in
      "PASS "*) ok "${line#PASS }" ;;
      "FAIL "*) bad "${line#FAIL }" "$details" ;;
    esac
  done <"$WORK/compare.out"
  if [ $status -ne 0 ]; then bad "$name: comparison run (exit $status)" "$WORK/compare.err"; fi
  t2=$(date +%s%3N)
  stop_instance
  echo "note: $name: set-up and start $((t1 - t0)) ms, mail and trace $((t2 - t1)) ms ($(tr '\n' ' ' <"$WORK/compare.err"))"
done
finish
