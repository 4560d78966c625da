#!/usr/bin/env bash
# The SMTP and LMTP client against the real Postfix 3.7's smtp(8)/lmtp(8): a private
# Postfix instance, then a private Postline instance, get the same main.cf (a transport
# map sending each test domain to a receiving server on loopback) and the same messages
# over SMTP. The receiving servers are Postfix's smtp-sink: one that accepts (SMTP), two
# LMTP ones (TCP and a UNIX-domain socket), one that does not announce 8BITMIME (8-bit
# MIME parts are downgraded to quoted-printable for it), one that refuses every RCPT
# (5xx), one that refuses DATA (4xx), one that answers the connection with 421 (also as
# the first server of a transport with a fallback relay), and a port where nothing
# listens; a nexthop by name (localhost: smtp_dns_support_level = disabled, a native
# lookup); and a private Dovecot's LMTP (on a UNIX-domain socket, run as the Postline
# instance's user) that delivers into Maildirs and refuses an unknown user among known
# ones. Afterwards, for each side: the smtp/lmtp log lines (to=, relay=, dsn=, status=
# with the reason, and the connection failures; queue ids, pids and delays masked), what
# arrived at smtp-sink (its dump: the MAIL and RCPT parameters, the dot-stuffed content)
# and what Dovecot delivered (the Maildir files without their Received: headers) must be
# Postfix's.
# Usage: tests/integration/smtp_relay.sh BUILD_DIR/bin (as root). Ports 10770-10777 and
# 10788: PF_PORT and PL_PORT are the instances' smtpd, the others the receiving servers.
# KEEP_WORK=1 keeps the scratch directory.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/../interop/lib.bash"
PF_PORT=${PF_PORT:-10770}
PL_PORT=${PL_PORT:-10771}
SINK_OK=10772 SINK_LMTP=10773 SINK_REJECT=10774 SINK_DATA4=10775 DEAD=10776 SINK_421=10777 SINK_7BIT=10788
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
# shellcheck source=tests/integration/postline_instance.bash
source "$HERE/../integration/postline_instance.bash"
pf_instance_guard smtp_relay
pl_instance_guard smtp_relay
pl_require_daemons smtp_relay master smtpd cleanup qmgr smtp lmtp bounce discard
SINK_PIDS=()
stop_sinks() {
  local pid
  for pid in "${SINK_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${SINK_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  SINK_PIDS=()
}
DV_DIR=$WORK/dovecot
DV_PID=
# dv_lmtp_start: Dovecot with LMTP only, its socket DV_DIR/run/lmtp open to everyone,
# two users (dv, dw) with Maildirs under DV_DIR/mail.
dv_lmtp_start() {
  local group
  group=$(id -gn "$PL_USER")
  mkdir -p "$DV_DIR/run" "$DV_DIR/state" "$DV_DIR/home" "$DV_DIR/mail"
  : >"$DV_DIR/passwd"
  for user in dv dw; do
    printf '%s:{PLAIN}secret::::::userdb_mail=maildir:%s\n' "$user" "$DV_DIR/mail/$user" >>"$DV_DIR/passwd"
  done
  cat >"$DV_DIR/dovecot.conf" <<CONF
# A private Dovecot LMTP server for the test: a UNIX-domain socket, one unprivileged user.
base_dir = $DV_DIR/run
state_dir = $DV_DIR/state
log_path = $DV_DIR/dovecot.log
info_log_path = $DV_DIR/dovecot.log
protocols = lmtp
ssl = no
auth_username_format = %Ln
default_internal_user = $PL_USER
default_internal_group = $group
default_login_user = $PL_USER
first_valid_uid = 0
mail_uid = $PL_USER
mail_gid = $group
mail_home = $DV_DIR/home/%n
passdb {
  driver = passwd-file
  args = scheme=PLAIN $DV_DIR/passwd
}
userdb {
  driver = passwd-file
  args = $DV_DIR/passwd
}
service lmtp {
  unix_listener lmtp {
    mode = 0666
  }
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-reader {
    user = $PL_USER
  }
  unix_listener stats-writer {
    user = $PL_USER
  }
}
CONF
  chown -R "$PL_USER" "$DV_DIR"
  if ! as_pl_user /usr/sbin/dovecot -c "$DV_DIR/dovecot.conf" >"$DV_DIR/start.log" 2>&1; then
    cat "$DV_DIR/start.log" "$DV_DIR/dovecot.log" >&2 2>/dev/null
    return 1
  fi
  # Up to 30 s: a loaded machine (the suite runs tests side by side) starts it slowly.
  for _ in $(seq 1 300); do
    [ -S "$DV_DIR/run/lmtp" ] && [ -s "$DV_DIR/run/master.pid" ] && break
    sleep 0.1
  done
  DV_PID=$(tr -d ' \n' <"$DV_DIR/run/master.pid" 2>/dev/null)
  [ -S "$DV_DIR/run/lmtp" ]
}
# dv_lmtp_stop: by the pid in its pid file (read again if the start did not get it),
# 10 s at most, then killed.
dv_lmtp_stop() {
  [ -n "$DV_PID" ] || DV_PID=$(tr -d ' \n' 2>/dev/null <"$DV_DIR/run/master.pid")
  [ -n "$DV_PID" ] || return 0
  local tries=0
  kill "$DV_PID" 2>/dev/null || true
  while kill -0 "$DV_PID" 2>/dev/null && ((tries++ < 100)); do sleep 0.1; done
  kill -9 "$DV_PID" 2>/dev/null || true
  DV_PID=
}
trap 'stop_sinks; dv_lmtp_stop; pl_stop; stop_instance
      if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi' EXIT

for port in $SINK_OK $SINK_LMTP $SINK_REJECT $SINK_DATA4 $DEAD $SINK_421; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "smtp_relay: 127.0.0.1:$port is in use" >&2
    exit 1
  fi
done

LMTP_SOCKET=$WORK/lmtp.sock

# start_sinks DUMP: the receiving servers, each dumping what it accepted under DUMP
# (smtp-sink -d: one file per transaction). They run as nobody; the UNIX-domain socket
# is open to everyone.
start_sinks() {
  local dump=$1
  mkdir -p "$dump"
  chmod 777 "$dump"
  smtp-sink -u nobody -d "$dump/ok." "127.0.0.1:$SINK_OK" 32 &
  SINK_PIDS+=($!)
  smtp-sink -u nobody -L -d "$dump/lmtp." "127.0.0.1:$SINK_LMTP" 32 &
  SINK_PIDS+=($!)
  (umask 0 && exec smtp-sink -u nobody -L -d "$dump/lmtpunix." "unix:$LMTP_SOCKET" 32) &
  SINK_PIDS+=($!)
  smtp-sink -u nobody -8 -d "$dump/old." "127.0.0.1:$SINK_7BIT" 32 &
  SINK_PIDS+=($!)
  smtp-sink -u nobody -f RCPT "127.0.0.1:$SINK_REJECT" 32 &
  SINK_PIDS+=($!)
  smtp-sink -u nobody -r DATA "127.0.0.1:$SINK_DATA4" 32 &
  SINK_PIDS+=($!)
  smtp-sink -u nobody -Q CONNECT "127.0.0.1:$SINK_421" 32 &
  SINK_PIDS+=($!)
  local port
  for port in $SINK_OK $SINK_LMTP $SINK_7BIT $SINK_REJECT $SINK_DATA4 $SINK_421; do
    for _ in $(seq 1 50); do
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
      sleep 0.1
    done
  done
  for _ in $(seq 1 50); do
    [ -S "$LMTP_SOCKET" ] && break
    sleep 0.1
  done
}

# relay_conf ROOT PORT: main.cf, master.cf (smtp and lmtp are the real programs) and the
# transport map of an instance. No connection caching: whether a message finds another
# waiting for its destination is timing (smtp_cache.sh tests the cache).
relay_conf() {
  local root=$1 port=$2 key
  mkdir -p "$root/conf" "$root/queue" "$root/data" "$root/spool"
  pf_main_cf "$root/conf/main.cf" "$root"
  local extra
  extra=$(
    cat <<MAIN
transport_maps = hash:$root/conf/transport
maximal_queue_lifetime = 1d
bounce_queue_lifetime = 1d
smtp_connect_timeout = 5s
lmtp_connect_timeout = 5s
smtp_connection_cache_on_demand = no
lmtp_connection_cache_on_demand = no
MAIN
  )
  while IFS= read -r key; do
    sed -i "/^$key *=/d" "$root/conf/main.cf"
  done < <(sed -nE 's/^([a-z_]+) *=.*/\1/p' <<<"$extra")
  printf '%s\n' "$extra" >>"$root/conf/main.cf"
  cat >"$root/conf/transport" <<TRANSPORT
sink.example     smtp:[127.0.0.1]:$SINK_OK
lmtp.example     lmtp:[127.0.0.1]:$SINK_LMTP
old.example      smtp:[127.0.0.1]:$SINK_7BIT
lmtpu.example    lmtp:unix:$LMTP_SOCKET
reject.example   smtp:[127.0.0.1]:$SINK_REJECT
data4.example    smtp:[127.0.0.1]:$SINK_DATA4
dead.example     smtp:[127.0.0.1]:$DEAD
greet.example    smtp:[127.0.0.1]:$SINK_421
dovecot.example  lmtp:unix:$DV_DIR/run/lmtp
fallback.example fallback:[127.0.0.1]:$SINK_421
native.example   smtp:localhost:$SINK_OK
nowhere.example  discard:
TRANSPORT
  PF_PORT=$port pf_master_cf "$root/conf/master.cf"
  sed -i -E 's/^(smtp|lmtp) +unix .*/\1      unix  - - n - - \1/' "$root/conf/master.cf"
  # A transport whose first server answers 421: the fallback relay gets the mail.
  echo "fallback  unix  - - n - - smtp -o smtp_fallback_relay=[127.0.0.1]:$SINK_OK" >>"$root/conf/master.cf"
}

# send PORT: the messages, over SMTP to the instance's smtpd.
send() {
  python3 - "$1" <<'PY'
import smtplib, sys
port = int(sys.argv[1])
long_line = "x" * 1200
def message(subject, body):
    return ("From: sender@nowhere.example\r\nTo: list@sink.example\r\nSubject: %s\r\n"
            "Date: Mon, 7 Dec 2026 00:00:00 +0000\r\nMessage-ID: <%s@test.example>\r\n\r\n%s"
            % (subject, subject.replace(" ", "-"), body)).encode("utf-8")
body = (".leading dot\r\n..two dots\r\n.\r\nplain line\r\ncaf\u00e9 8bit\r\n" + long_line +
        "\r\nlast line\r\n")
def mime(subject, headers, body):
    return message(subject, "").replace(b"\r\n\r\n", ("\r\nMIME-Version: 1.0\r\n" + headers + "\r\n\r\n").encode(), 1) + body
# For the server without 8BITMIME: an 8bit text part (a leading dot, '=', trailing
# blanks, a line longer than 76 characters), a multipart with 8bit, binary, base64 and
# message/rfc822 parts (nested 8bit headers, a preamble and an epilogue), 8-bit text
# without MIME headers (sent as it is), and a 7bit message.
text_8bit = mime("qp text", "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit",
                 (".caf\u00e9 = x\r\ntrailing space \r\ntrailing tab\t\r\n" + "\u00fc" * 60 + "y" * 50 +
                  "\r\n=\r\n").encode())
multipart = mime("multipart", "Content-Type: multipart/mixed; boundary=\"b1\"\r\nContent-Transfer-Encoding: 8bit",
                 ("pre\u00e4mble\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n"
                  "Content-Transfer-Encoding: binary\r\n\r\n\u00e9t\u00e9\r\n--b1\r\n"
                  "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n"
                  "--b1\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                  "Subject: inner\r\nContent-Type: text/plain; charset=utf-8\r\n"
                  "Content-Transfer-Encoding: 8bit\r\n\r\ninn\u00e9r\r\n--b1\r\n\r\ndefault part \u00e9\r\n"
                  "--b1--\r\nepil\u00f6gue\r\n").encode())
sends = [
    (["a@sink.example", "b@sink.example"], message("two recipients", body), ["BODY=8BITMIME"], []),
    (["n@sink.example"], message("dsn", "dsn body\r\n"), ["RET=HDRS", "ENVID=env+2B1"],
     ["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;orig@sink.example"]),
    (["x@lmtp.example", "y@lmtp.example"], message("lmtp", "lmtp body\r\n.dot\r\n"), [], []),
    (["q@old.example"], text_8bit, ["BODY=8BITMIME"], []),
    (["m@old.example"], multipart, ["BODY=8BITMIME"], []),
    (["e@old.example"], message("no mime", "caf\u00e9 as it is\r\n"), ["BODY=8BITMIME"], []),
    (["s@old.example"], message("seven", "7bit\r\n"), [], []),
    (["u@lmtpu.example"], message("lmtp unix", "unix body\r\n"), [], []),
    (["r@reject.example"], message("reject", "rejected\r\n"), [], []),
    (["d@data4.example"], message("data4", "deferred at DATA\r\n"), [], []),
    (["z@dead.example"], message("dead", "nobody listens\r\n"), [], []),
    (["g@greet.example"], message("greet", "421 greeting\r\n"), [], []),
    (["f@fallback.example"], message("fallback", "via the fallback relay\r\n"), [], []),
    (["h@native.example"], message("native", "to localhost, found by the system's resolver\r\n"), [], []),
    (["dv@dovecot.example", "nouser@dovecot.example", "dw@dovecot.example"],
     message("dovecot", "into Maildir\r\n.dot line\r\n"), [], []),
]
failed = []
for rcpts, data, mail_opts, rcpt_opts in sends:
    try:
        s = smtplib.SMTP("127.0.0.1", port, timeout=30)
        s.ehlo("client.example")
        refused = s.sendmail("sender@nowhere.example", rcpts, data, mail_opts, rcpt_opts)
        if refused:
            failed.append("%s: %r" % (rcpts, refused))
        s.quit()
    except (OSError, smtplib.SMTPException) as e:
        failed.append("%s: %s" % (rcpts, e))
if failed:
    sys.exit("\n".join(failed))
PY
}

# wait_log ROOT N: until the instance's log has N smtp/lmtp recipient lines (60 s).
wait_log() {
  local root=$1 n=$2 count
  for _ in $(seq 1 600); do
    count=$(grep -cE 'postfix/(smtp|lmtp)\[[0-9]+\]: [0-9A-Za-z]+: to=' "$root/maillog" 2>/dev/null)
    [ "${count:-0}" -ge "$n" ] && return 0
    sleep 0.1
  done
  return 1
}

# normalize_log ROOT OUT: the smtp/lmtp lines, pids, queue ids and delays masked, and
# Dovecot's session id in its replies (with its ":Rn" recipient number, which counts the
# RCPT commands in the order the queue manager listed the recipients), sorted.
normalize_log() {
  grep -E 'postfix/(smtp|lmtp)\[' "$1/maillog" |
    sed -E 's/^.*postfix\/(smtp|lmtp)\[[0-9]+\]: /\1: /; s/^(smtp|lmtp): [0-9A-Za-z]+: /\1: QID: /;
            s/delay=[0-9.]+, delays=[0-9.]+\/[0-9.]+\/[0-9.]+\/[0-9.]+/delay=D, delays=D/
            s/> [A-Za-z0-9+\/]+(:R[0-9]+)? Saved\)$/> SESSION Saved)/' | sort >"$2"
}

# normalize_dump DUMP OUT: each received transaction as smtp-sink dumped it, without
# the Received: headers (its own and the instance's) and the client address line.
normalize_dump() {
  python3 - "$1" >"$2" <<'PY'
import os, sys
out = []
for name in sorted(os.listdir(sys.argv[1])):
    kind = name.split(".")[0]
    with open(os.path.join(sys.argv[1], name), "rb") as f:
        lines = f.read().decode("utf-8", "replace").split("\n")
    kept, skipping, in_body = [], False, False
    for line in lines:
        if in_body:
            kept.append(line)
            continue
        if line == "":
            in_body = True
            kept.append(line)
            continue
        if line.startswith("Received:"):
            skipping = True
            continue
        if skipping and line[:1] in (" ", "\t"):
            continue
        skipping = False
        if line.startswith("X-Client-Addr:"):
            continue
        kept.append(line)
    out.append("== " + kind + "\n" + "\n".join(kept))
print("\n".join(sorted(out)))
PY
}

# normalize_maildirs DIR OUT: every delivered file (user, then the file without its
# Received: headers), sorted.
normalize_maildirs() {
  python3 - "$1" >"$2" <<'PY'
import os, sys
out = []
root = sys.argv[1]
for user in sorted(os.listdir(root)):
    for sub in ("new", "cur"):
        d = os.path.join(root, user, sub)
        if not os.path.isdir(d):
            continue
        for name in os.listdir(d):
            with open(os.path.join(d, name), "rb") as f:
                lines = f.read().decode("utf-8", "replace").split("\n")
            kept, skipping, in_body = [], False, False
            for line in lines:
                if not in_body and line == "":
                    in_body = True
                if not in_body and line.startswith("Received:"):
                    skipping = True
                    continue
                if not in_body and skipping and line[:1] in (" ", "\t"):
                    continue
                skipping = False
                kept.append(line)
            out.append("== " + user + "\n" + "\n".join(kept))
print("\n".join(sorted(out)))
PY
}

EXPECTED_LINES=19

# Postfix.
PF_ROOT=$WORK/pf
relay_conf "$PF_ROOT" "$PF_PORT"
chown postfix "$PF_ROOT/data"
touch -d '1 hour ago' "$PF_ROOT/conf/main.cf"
chmod -R a+rX "$PF_ROOT/conf" "$PF_ROOT/queue"
/usr/sbin/postmap -c "$PF_ROOT/conf" "hash:$PF_ROOT/conf/transport" || exit 1
start_sinks "$WORK/pf.dump"
dv_lmtp_start || bad "Dovecot's LMTP starts" "$DV_DIR/dovecot.log"
if ! /usr/sbin/postfix -c "$PF_ROOT/conf" start >"$WORK/pf-start.log" 2>&1; then
  cat "$WORK/pf-start.log" >&2
  exit 1
fi
RUNNING=$PF_ROOT/conf
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PF_PORT") 2>/dev/null && break
  sleep 0.1
done
if send "$PF_PORT" 2>"$WORK/pf-send.err"; then ok "Postfix accepts the messages"; else bad "Postfix accepts the messages" "$WORK/pf-send.err"; fi
wait_log "$PF_ROOT" "$EXPECTED_LINES" || bad "Postfix logs $EXPECTED_LINES smtp/lmtp results" "$PF_ROOT/maillog"
sleep 0.5
stop_instance
stop_sinks
dv_lmtp_stop
normalize_log "$PF_ROOT" "$WORK/pf.log"
normalize_dump "$WORK/pf.dump" "$WORK/pf.received"
normalize_maildirs "$DV_DIR/mail" "$WORK/pf.maildirs"
mv "$DV_DIR" "$WORK/pf.dovecot"

# What the configuration must make Postfix do, so that the comparison compares something.
for want in 'to=<a@sink.example>, relay=127.0.0.1\[127.0.0.1\]:10772, .*status=sent \(250 2.0.0 Ok\)' \
  'to=<u@lmtpu.example>, relay=mx.example.org\[.*lmtp.sock\], .*status=sent' \
  'to=<r@reject.example>, .*dsn=5.3.0, status=bounced \(host 127.0.0.1\[127.0.0.1\] said: 500 5.3.0 Error: command failed \(in reply to RCPT TO command\)\)' \
  'to=<d@data4.example>, .*status=deferred \(host 127.0.0.1\[127.0.0.1\] said: 450 4.3.0 Error: command failed \(in reply to DATA command\)\)' \
  'to=<z@dead.example>, relay=none, .*status=deferred \(connect to 127.0.0.1\[127.0.0.1\]:10776: Connection refused\)' \
  'to=<g@greet.example>, .*status=deferred \(host 127.0.0.1\[127.0.0.1\] refused to talk to me: 421 ' \
  ': host 127.0.0.1\[127.0.0.1\] refused to talk to me: 421 4.0.0 Server closing connection$' \
  'to=<f@fallback.example>, relay=127.0.0.1\[127.0.0.1\]:10772, .*status=sent' \
  'to=<h@native.example>, relay=localhost\[127.0.0.1\]:10772, .*status=sent' \
  'to=<m@old.example>, relay=127.0.0.1\[127.0.0.1\]:10788, .*status=sent' \
  'to=<dv@dovecot.example>, relay=mx.example.org\[.*/run/lmtp\], .*status=sent \(250 2.0.0 <dv@dovecot.example> ' \
  'to=<nouser@dovecot.example>, .*dsn=5.1.1, status=bounced \(host mx.example.org\[.*/run/lmtp\] said: 550 5.1.1 <nouser@dovecot.example> User doesn.t exist: nouser@dovecot.example \(in reply to RCPT TO command\)\)'; do
  if grep -qE "$want" "$WORK/pf.log"; then ok "Postfix: $want"; else bad "Postfix: $want" "$WORK/pf.log"; fi
done
if grep -q "^inn=C3=A9r" "$WORK/pf.received"; then
  ok "Postfix downgrades 8-bit parts for the server without 8BITMIME"
else
  bad "Postfix downgrades 8-bit parts for the server without 8BITMIME" "$WORK/pf.received"
fi

# Postline.
PL_ROOT=$WORK/pl
pl_root "$PL_ROOT"
relay_conf "$PL_ROOT" "$PL_PORT"
chown -R "$PL_USER" "$PL_ROOT"
as_pl_user "$OURS_BIN/postmap" -c "$PL_ROOT/conf" "hash:$PL_ROOT/conf/transport" || exit 1
start_sinks "$WORK/pl.dump"
dv_lmtp_start || bad "Dovecot's LMTP starts" "$DV_DIR/dovecot.log"
pl_start "$PL_ROOT"
if send "$PL_PORT" 2>"$WORK/pl-send.err"; then ok "Postline accepts the messages"; else bad "Postline accepts the messages" "$WORK/pl-send.err"; fi
wait_log "$PL_ROOT" "$EXPECTED_LINES" || bad "Postline logs $EXPECTED_LINES smtp/lmtp results" "$PL_ROOT/maillog"
sleep 0.5
# The deferred mail as our showq service lists it: to the instance's user through our
# postqueue, and to Postfix's postqueue (run by root) reading the same stream.
deferred=$(find "$PL_ROOT/queue/deferred" -type f -printf '%f\n' | sort)
as_pl_user "$OURS_BIN/postqueue" -c "$PL_ROOT/conf" -p >"$WORK/pl.mailq" 2>&1
echo "exit $?" >>"$WORK/pl.mailq"
listed=$(sed -n 's/^\([0-9A-Za-z]\{10,\}\) .*/\1/p' "$WORK/pl.mailq" | sort)
if [ -n "$deferred" ] && [ "$listed" = "$deferred" ] && grep -q "^exit 0$" "$WORK/pl.mailq"; then
  ok "postqueue -p through our showq lists the $(echo "$deferred" | wc -l) deferred messages"
else
  echo "deferred: $deferred" >>"$WORK/pl.mailq"
  bad "postqueue -p through our showq lists the deferred messages" "$WORK/pl.mailq"
fi
if [ "$(id -u)" = 0 ]; then
  /usr/sbin/postqueue -c "$PL_ROOT/conf" -p >"$WORK/pf-client.mailq" 2>&1
  echo "exit $?" >>"$WORK/pf-client.mailq"
  same_files "Postfix's postqueue -p prints the same from our showq" "$WORK/pf-client.mailq" "$WORK/pl.mailq"
fi
pl_stop
stop_sinks
dv_lmtp_stop
normalize_log "$PL_ROOT" "$WORK/pl.log"
normalize_dump "$WORK/pl.dump" "$WORK/pl.received"
normalize_maildirs "$DV_DIR/mail" "$WORK/pl.maildirs"

same_files "the smtp and lmtp log lines (to=, relay=, dsn=, status= and reason; connection failures)" \
  "$WORK/pf.log" "$WORK/pl.log"
same_files "what the receiving servers got (MAIL and RCPT parameters, dot-stuffed content)" \
  "$WORK/pf.received" "$WORK/pl.received"
if grep -q '^== dv' "$WORK/pf.maildirs" && grep -q '^== dw' "$WORK/pf.maildirs"; then
  ok "Dovecot delivered Postfix's message to dv and dw"
else
  bad "Dovecot delivered Postfix's message to dv and dw" "$WORK/pf.maildirs"
fi
same_files "what Dovecot's LMTP delivered (Maildir files without Received:)" "$WORK/pf.maildirs" "$WORK/pl.maildirs"
finish
