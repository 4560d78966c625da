# The routing configurations of testdata/interop/routing/ run through a live MTA and
# compared with `postline trace` (tests/interop/trace_compare.py): shared by
# tests/interop/trace_postfix.sh (the real Postfix 3.7 is the MTA: is trace right about
# Postfix?) and tests/integration/trace_truth.sh (Postline is the MTA: does Postline
# deliver what trace predicts?). The caller sources lib.bash and its instance helpers
# first and defines routing_start CONF (0: started, 2: not started on purpose, already
# reported), routing_stop and ROUTING_BIN (where the `build`
# files' postmap/postalias come from), ROUTING_POSTQUEUE, ROUTING_MTA and ROUTING_PORT.
# shellcheck shell=bash
ROUTING=$TESTDATA/routing

# routing_setup NAME QUEUE DATA: the instance's configuration directory for
# testdata/interop/routing/NAME under $WORK/NAME. Files are copied with @ROOT@ replaced
# by the configuration's scratch directory; main.cf is the configuration's own,
# followed by the shared settings it does not set itself (queue and data directories
# as given).
routing_setup() {
  local name=$1 queue=$2 data=$3 src=$ROUTING/$1 root=$WORK/$1
  local conf=$root/conf
  mkdir -p "$conf" "$root/spool" "$root/out"
  chmod 1777 "$root/spool" "$root/out"
  local f base
  for f in "$src"/*; do
    base=$(basename "$f")
    case $base in addresses | build | master.cf | sender | session) continue ;; esac
    sed "s|@ROOT@|$root|g" "$f" >"$conf/$base"
  done
  pf_main_cf "$WORK/shared.cf" "$root"
  sed -i "s|^queue_directory = .*|queue_directory = $queue|; s|^data_directory = .*|data_directory = $data|" "$WORK/shared.cf"
  local line key
  while IFS= read -r line; do
    key=${line%% =*}
    grep -q "^$key *=" "$conf/main.cf" || printf '%s\n' "$line" >>"$conf/main.cf"
  done <"$WORK/shared.cf"
  PF_PORT=$ROUTING_PORT pf_master_cf "$conf/master.cf"
  if [ -f "$src/master.cf" ]; then sed "s|@ROOT@|$root|g" "$src/master.cf" >>"$conf/master.cf"; fi
  touch -d '1 hour ago' "$conf/main.cf"
  chmod -R a+rX "$root"
  if [ -f "$src/build" ]; then
    local cmd arg
    while read -r cmd arg; do
      case $cmd in '' | '#'*) continue ;; esac
      (cd "$conf" && "$ROUTING_BIN/$cmd" -c "$conf" "$arg") || {
        echo "trace routing: $name: $cmd $arg failed" >&2
        return 1
      }
    done <"$src/build"
  fi
}

# routing_compare NAME ROOT: mail to the running instance and the comparison with trace,
# one ok/bad per address.
routing_compare() {
  local name=$1 root=$2 dir=$ROUTING/$1 sender= status
  if [ -f "$dir/sender" ]; then sender=$(cat "$dir/sender"); fi
  python3 "$HERE/trace_compare.py" --name "$name" --port "$ROUTING_PORT" --conf "$root/conf" \
    --log "$root/maillog" --trace "$OURS_BIN/postline" --addresses "$dir/addresses" \
    --sender "$sender" --details "$WORK/details" --postqueue "$ROUTING_POSTQUEUE" --mta "$ROUTING_MTA" \
    >"$WORK/compare.out" 2>"$WORK/compare.err"
  status=$?
  while IFS=$'\t' read -r line details; do
    case $line in
      "PASS "*) ok "${line#PASS }" ;;
      "FAIL "*) bad "${line#FAIL }" "$details" ;;
    esac
  done <"$WORK/compare.out"
  if [ $status -ne 0 ]; then bad "$name: comparison run (exit $status)" "$WORK/compare.err"; fi
}

# routing_all QUEUE DATA: every configuration (ROUTING_ONLY="NAME …" picks some), each
# set up, started, compared and stopped; @NAME@ in QUEUE and DATA stands for the
# configuration's name (one queue per configuration, or one for all).
routing_all() {
  local dir name root t0 t1 t2
  for dir in "$ROUTING"/*/; do
    name=$(basename "$dir")
    if [ -n "${ROUTING_ONLY:-}" ] && [[ " $ROUTING_ONLY " != *" $name "* ]]; then continue; fi
    root=$WORK/$name
    t0=$(date +%s%3N)
    if ! routing_setup "$name" "${1//@NAME@/$name}" "${2//@NAME@/$name}"; then
      bad "$name: $ROUTING_MTA instance set-up" "$root/maillog"
      continue
    fi
    # routing_start's status: 0 started, 2 not started on purpose (it reported why).
    routing_start "$root/conf"
    case $? in
      0) ;;
      2) continue ;;
      *)
        bad "$name: $ROUTING_MTA instance set-up" "$root/maillog"
        continue
        ;;
    esac
    t1=$(date +%s%3N)
    routing_compare "$name" "$root"
    t2=$(date +%s%3N)
    routing_stop
    echo "note: $name: set-up and start $((t1 - t0)) ms, mail and trace $((t2 - t1)) ms ($(tr '\n' ' ' <"$WORK/compare.err"))"
  done
}
