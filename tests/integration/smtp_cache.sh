#!/usr/bin/env bash
# smtp(8)'s connection cache against the real Postfix 3.7's: a private Postfix instance,
# then a private Postline instance, relay the same messages to two smtp-sink servers on
# loopback, each answering DATA after a second so that mail queues behind a destination
# concurrency limit of 1 and goes out back to back. One destination is listed in
# smtp_connection_cache_destinations (every session saved and reused: the status lines
# say conn_use=2, 3, ...); the other is cached on demand, when the queue manager sees
# deliveries back to back (the first delivery alone, the second on a new connection that
# is saved, the next ones on it). Both instances run scache(8): Postfix its own, Postline
# ours. For each side the smtp status lines, reduced to destination, conn_use and status,
# must be Postfix's (a line without conn_use is a new connection). scache_probe.py then
# speaks scache's protocol to each instance's scache directly: the same replies.
# Usage: tests/integration/smtp_cache.sh BUILD_DIR/bin (as root). Ports 10784-10787.
# KEEP_WORK=1 keeps the scratch directory.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/../interop/lib.bash"
PF_PORT=${PF_PORT:-10784}
PL_PORT=${PL_PORT:-10785}
SINK_DEMAND=10786 SINK_LISTED=10787
MESSAGES=5
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
# shellcheck source=tests/integration/postline_instance.bash
source "$HERE/../integration/postline_instance.bash"
pf_instance_guard smtp_cache
pl_instance_guard smtp_cache
pl_require_daemons smtp_cache master smtpd cleanup qmgr smtp scache bounce
SINK_PIDS=()
stop_sinks() {
  local pid
  for pid in "${SINK_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${SINK_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  SINK_PIDS=()
}
trap 'stop_sinks; pl_stop; stop_instance
      if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi' EXIT

for address in "127.0.0.1:$SINK_DEMAND" "127.0.0.2:$SINK_LISTED"; do
  if (exec 3<>"/dev/tcp/${address%:*}/${address#*:}") 2>/dev/null; then
    echo "smtp_cache: $address is in use" >&2
    exit 1
  fi
done

# start_sinks: the two servers, answering DATA after one second.
start_sinks() {
  smtp-sink -u nobody -w 1 "127.0.0.1:$SINK_DEMAND" 32 &
  SINK_PIDS+=($!)
  smtp-sink -u nobody -w 1 "127.0.0.2:$SINK_LISTED" 32 &
  SINK_PIDS+=($!)
  local address
  for address in "127.0.0.1:$SINK_DEMAND" "127.0.0.2:$SINK_LISTED"; do
    for _ in $(seq 1 50); do
      (exec 3<>"/dev/tcp/${address%:*}/${address#*:}") 2>/dev/null && break
      sleep 0.1
    done
  done
}

# cache_conf ROOT PORT: main.cf, master.cf (smtp and scache are the real programs) and
# the transport map of an instance.
cache_conf() {
  local root=$1 port=$2 key
  mkdir -p "$root/conf" "$root/queue" "$root/data" "$root/spool"
  pf_main_cf "$root/conf/main.cf" "$root"
  local extra
  extra=$(
    cat <<MAIN
transport_maps = hash:$root/conf/transport
smtp_destination_concurrency_limit = 1
smtp_connection_cache_destinations = 127.0.0.2
smtp_connect_timeout = 5s
maximal_queue_lifetime = 1d
bounce_queue_lifetime = 1d
MAIN
  )
  while IFS= read -r key; do
    sed -i "/^$key *=/d" "$root/conf/main.cf"
  done < <(sed -nE 's/^([a-z_]+) *=.*/\1/p' <<<"$extra")
  printf '%s\n' "$extra" >>"$root/conf/main.cf"
  cat >"$root/conf/transport" <<TRANSPORT
demand.example  smtp:[127.0.0.1]:$SINK_DEMAND
listed.example  smtp:[127.0.0.2]:$SINK_LISTED
TRANSPORT
  PF_PORT=$port pf_master_cf "$root/conf/master.cf"
  sed -i -E 's/^smtp +unix .*/smtp      unix  - - n - - smtp/' "$root/conf/master.cf"
}

# send PORT: MESSAGES messages to each destination, one SMTP session each, interleaved.
send() {
  python3 - "$1" "$MESSAGES" <<'PY'
import smtplib, sys
port, count = int(sys.argv[1]), int(sys.argv[2])
failed = []
for n in range(count):
    for domain in ("demand.example", "listed.example"):
        rcpt = "r%d@%s" % (n, domain)
        data = ("From: sender@nowhere.example\r\nTo: %s\r\nSubject: cache %d\r\n"
                "Message-ID: <cache%d.%s@test.example>\r\n\r\nbody %d\r\n" % (rcpt, n, n, domain, n))
        try:
            s = smtplib.SMTP("127.0.0.1", port, timeout=30)
            s.sendmail("sender@nowhere.example", [rcpt], data.encode())
            s.quit()
        except (OSError, smtplib.SMTPException) as e:
            failed.append("%s: %s" % (rcpt, e))
if failed:
    sys.exit("\n".join(failed))
PY
}

# wait_log ROOT N: until the instance's log has N smtp status lines (90 s).
wait_log() {
  local root=$1 n=$2 count
  for _ in $(seq 1 900); do
    count=$(grep -cE 'postfix/smtp\[[0-9]+\]: [0-9A-Za-z]+: to=' "$root/maillog" 2>/dev/null)
    [ "${count:-0}" -ge "$n" ] && return 0
    sleep 0.1
  done
  return 1
}

# normalize_log ROOT OUT: per status line the destination, conn_use (1 for a new
# connection) and status, sorted.
normalize_log() {
  grep -E 'postfix/smtp\[[0-9]+\]: [0-9A-Za-z]+: to=' "$1/maillog" |
    sed -E 's/.*to=<r[0-9]+@([a-z]+)\.example>, relay=([^,]+), (conn_use=([0-9]+), )?.*status=([a-z]+).*/\1 \2 conn_use=\4 \5/
            s/conn_use= /conn_use=1 /' | sort >"$2"
}

run_instance() { # run_instance NAME ROOT PORT START STOP
  local name=$1 root=$2 port=$3
  start_sinks
  $4
  if send "$port" 2>"$WORK/$name-send.err"; then
    ok "$name accepts the messages"
  else
    bad "$name accepts the messages" "$WORK/$name-send.err"
  fi
  wait_log "$root" $((2 * MESSAGES)) || bad "$name logs $((2 * MESSAGES)) smtp results" "$root/maillog"
  # scache's protocol, spoken directly: the replies of both servers must be the same.
  python3 "$HERE/../integration/scache_probe.py" "$root/queue/private/scache" >"$WORK/$name.probe" 2>&1
  sleep 0.5
  $5
  stop_sinks
  normalize_log "$root" "$WORK/$name.log"
}

# Postfix.
PF_ROOT=$WORK/pf
cache_conf "$PF_ROOT" "$PF_PORT"
/usr/sbin/postmap -c "$PF_ROOT/conf" "hash:$PF_ROOT/conf/transport" || exit 1
pf_start() { pf_private_start "$PF_ROOT"; for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PF_PORT") 2>/dev/null && break
  sleep 0.1
done; }
chown postfix "$PF_ROOT/data"
run_instance postfix "$PF_ROOT" "$PF_PORT" pf_start stop_instance

# What the configuration must make Postfix do, so that the comparison compares something.
for want in "listed 127.0.0.2\[127.0.0.2\]:$SINK_LISTED conn_use=$MESSAGES sent" \
  "demand 127.0.0.1\[127.0.0.1\]:$SINK_DEMAND conn_use=$((MESSAGES - 1)) sent"; do
  if grep -qE "^$want$" "$WORK/postfix.log"; then ok "Postfix: $want"; else bad "Postfix: $want" "$WORK/postfix.log"; fi
done

# Postline.
PL_ROOT=$WORK/pl
pl_root "$PL_ROOT"
cache_conf "$PL_ROOT" "$PL_PORT"
chown -R "$PL_USER" "$PL_ROOT"
as_pl_user "$OURS_BIN/postmap" -c "$PL_ROOT/conf" "hash:$PL_ROOT/conf/transport" || exit 1
pl_start_here() { pl_start "$PL_ROOT"; }
run_instance postline "$PL_ROOT" "$PL_PORT" pl_start_here pl_stop

same_files "the smtp status lines: destination, connection reuse (conn_use) and status" \
  "$WORK/postfix.log" "$WORK/postline.log"
if grep -q '^by destination: descriptor works$' "$WORK/postfix.probe"; then
  ok "Postfix's scache hands back the saved descriptor"
else
  bad "Postfix's scache hands back the saved descriptor" "$WORK/postfix.probe"
fi
same_files "scache's replies to saves, finds, misses and bad requests (with descriptors)" \
  "$WORK/postfix.probe" "$WORK/postline.probe"
# The probe's bad requests make scache warn: the same warnings.
scache_log() { grep -E 'postfix/scache\[' "$1/maillog" | sed -E 's/^.*postfix\/scache\[[0-9]+\]: //' >"$2"; }
scache_log "$PF_ROOT" "$WORK/postfix.scache"
scache_log "$PL_ROOT" "$WORK/postline.scache"
same_files "scache's log lines" "$WORK/postfix.scache" "$WORK/postline.scache"
if grep -qE 'postfix/(smtp|qmgr)\[[0-9]+\]: (warning|fatal|panic)' "$PL_ROOT/maillog"; then
  bad "Postline's smtp and qmgr log no warning" "$PL_ROOT/maillog"
else
  ok "Postline's smtp and qmgr log no warning"
fi
finish
