#!/usr/bin/env bash
# Differential test of sendmail(1) and postdrop(1): each case submits the same input
# with the same options through Postfix 3.7's sendmail (and postdrop) into one private
# spool and through ours into another, with the same main.cf otherwise. Compared: the
# commands' stdout, stderr and exit status; the maildrop listing (file count and modes);
# Postfix's postcat of the two files with the arrival time and queue id masked; and the
# files' bytes after the arrival time record. Then postdrop alone on hand-made records.
# Usage: tests/interop/sendmail.sh BUILD_DIR/bin (as root: the maildrop belongs to postfix).
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/lib.bash"

if [ "$(id -u)" != 0 ]; then
  echo "sendmail: must run as root (the spools belong to postfix:postdrop)" >&2
  exit 1
fi

# spool SIDE: a fresh private instance (configuration, queue, data directory).
spool() { # spool SIDE EXTRA-MAIN-CF-LINES...
  local side=$1 dir=$WORK/$1
  shift
  rm -rf "$dir"
  mkdir -p "$dir/conf" "$dir/spool/maildrop" "$dir/spool/public" "$dir/data"
  {
    echo 'compatibility_level = 3.6'
    echo "queue_directory = $dir/spool"
    echo "data_directory = $dir/data"
    local line
    for line in "$@"; do echo "$line"; done
  } >"$dir/conf/main.cf"
  touch -d '1 hour ago' "$dir/conf/main.cf"
  chmod -R a+rX "$dir/conf"
  chown postfix:postdrop "$dir/spool/maildrop"
  chmod 1730 "$dir/spool/maildrop"
  chown root:postdrop "$dir/spool/public"
  # PICKUP=fifo: a pickup FIFO that nobody reads; PICKUP=socket: a listening socket.
  case "${PICKUP:-}" in
    fifo) mkfifo -m 622 "$dir/spool/public/pickup" ;;
    socket) python3 -c "
import socket, sys, os
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(5)
if os.fork() == 0:
    c, _ = s.accept(); got = b''
    while True:
        b = c.recv(10)
        if not b: break
        got += b
    open(sys.argv[1] + '.got', 'wb').write(got); os._exit(0)
" "$dir/spool/public/pickup" ;;
  esac
}

# maildrop_view SIDE: the listing and each file as postcat shows it, ids and times masked.
maildrop_view() {
  local dir=$WORK/$1 f
  for f in "$dir"/spool/maildrop/*; do
    [ -e "$f" ] || { echo "(empty maildrop)"; continue; }
    echo "== file mode $(stat -c %a "$f")"
    /usr/sbin/postcat -c "$dir/conf" "$f" 2>&1 |
      sed -E "s#$dir/spool/maildrop/[0-9A-Za-z]+#QUEUEFILE#; s/^(message_arrival_time:).*/\1 TIME/"
    echo "== bytes after the arrival time record"
    # The first record is T, one length byte (< 128), then its text.
    local len
    len=$(od -An -tu1 -j1 -N1 "$f" | tr -d ' ')
    tail -c +$((3 + len)) "$f" | od -An -c
  done
}

# submit NAME STDIN-FILE [MAIN-CF-LINES... --] SENDMAIL-ARGS...
submit() {
  local name=$1 input=$2
  shift 2
  local extra=()
  if [ "${1:-}" = "--cf" ]; then
    shift
    while [ "$1" != "--" ]; do extra+=("$1"); shift; done
    shift
  fi
  spool pf "${extra[@]}"
  spool ours "${extra[@]}"
  # Same program name (argv[0]) for both, so that messages read alike.
  (cd "$WORK" && MAIL_CONFIG=$WORK/pf/conf exec -a sendmail /usr/sbin/sendmail "$@") \
    <"$input" >"$WORK/pf.out" 2>"$WORK/pf.err"
  echo $? >"$WORK/pf.rc"
  (cd "$WORK" && MAIL_CONFIG=$WORK/ours/conf exec -a sendmail "${OURS_SENDMAIL:-$OURS_BIN/sendmail}" "$@") \
    <"$input" >"$WORK/ours.out" 2>"$WORK/ours.err"
  echo $? >"$WORK/ours.rc"
  same "$name: output" "$WORK/pf" "$WORK/ours"
  maildrop_view pf >"$WORK/pf.view"
  maildrop_view ours >"$WORK/ours.view"
  same_files "$name: maildrop file" "$WORK/pf.view" "$WORK/ours.view"
}

IN=$WORK/in
mkdir -p "$IN"
printf 'Subject: hi\n\nbody\n' >"$IN/plain"
printf 'From: me@example.com\nTo: a@example.org, "B b" <b@example.org>\nCc: c@example.org\n (comment)\nBcc: d@example.org\nTo : e@example.org\nSubject: t\n\nbody\n' >"$IN/headers"
printf 'To: a@example.org\nResent-To: r1@example.org\nCc: c@example.org\nResent-Cc: r2@example.org,\n\tr3@example.org\n\nbody\n' >"$IN/resent"
printf 'Subject: no recipients here\n\nbody\n' >"$IN/norcpt"
printf 'To: a@example.org\nSubject: no final newline\n\nbody' >"$IN/nonl"
python3 -c "
import sys
sys.stdout.write('Subject: long\n\n' + 'x' * 5000 + '\n' + 'y' * 2048 + '\n' + 'z' * 2049 + '\n' + 'w' * 4096 + '\nend\n')
" >"$IN/long"
python3 -c "
import sys
sys.stdout.write('To: ' + ', '.join('user%d@example.org' % i for i in range(300)) + '\nSubject: long header\n\nbody\n')
" >"$IN/longheader"
printf 'Subject: crlf\r\n\r\nline one\r\nline two\r\r\n' >"$IN/crlf"
printf 'Subject: mixed\nline one\r\nline two\n' >"$IN/mixed"
printf 'From someone@example.com Sat Jan  1 00:00:00 2000\n>From again\nSubject: from\n\nFrom inside\n' >"$IN/from_"
printf '>>From x\nSubject: quoted from\n\nbody\n' >"$IN/quotedfrom"
printf 'Subject: dot\n\nbefore\n.\nafter\n' >"$IN/dot"
printf 'Subject: dot\n\nbefore\n..\n.x\n' >"$IN/dotdot"
printf 'Subject: 8bit \xc3\xa9\n\nbody \xe9\xff\x01\n' >"$IN/8bit"
: >"$IN/empty"

unset NAME
submit "plain" "$IN/plain" -f a@example.com b@example.org
NAME="Env Name" submit "NAME in the environment" "$IN/plain" -f a@example.com b@example.org
submit "default sender" "$IN/plain" b@example.org
submit "several arguments" "$IN/plain" -f a@example.com 'x@example.org, y@example.org' 'Name <z@example.org>' '' '<>'
submit "-t" "$IN/headers" -t -f a@example.com
submit "-t plus arguments" "$IN/headers" -t -f a@example.com extra@example.org
submit "-t resent" "$IN/resent" -t -f a@example.com
submit "-t without recipients" "$IN/norcpt" -t -f a@example.com
submit "-t last line without newline" "$IN/nonl" -t -f a@example.com
submit "-t long header" "$IN/longheader" -t -f a@example.com
submit "-F" "$IN/plain" -F 'Joe (the) User' -f a@example.com b@example.org
submit "-r" "$IN/plain" -r a@example.com b@example.org
submit "null sender" "$IN/plain" -f '<>' b@example.org
submit "-f with a phrase" "$IN/plain" -f 'Joe <joe@example.com>' b@example.org
submit "malformed -f" "$IN/plain" -f 'a@example.com, b@example.com' b@example.org
submit "-N -R -V" "$IN/plain" -N success,delay -R hdrs -V envid-1 -f a@example.com b@example.org
submit "-N never" "$IN/plain" -N never -f a@example.com b@example.org
submit "bad -N" "$IN/plain" -N never,success -f a@example.com b@example.org
submit "unknown -N" "$IN/plain" -N sometimes -f a@example.com b@example.org
submit "bad -R" "$IN/plain" -R most -f a@example.com b@example.org
submit "bad -V" "$IN/plain" -V "$(printf 'a\tb')" -f a@example.com b@example.org
submit "-XV" "$IN/plain" -XV -f a@example.com b@example.org
submit "-XV delimiters" "$IN/plain" -XV+= -f a@example.com b@example.org
submit "-V delimiters (deprecated)" "$IN/plain" -V += -f a@example.com b@example.org
submit "-XV bad delimiters" "$IN/plain" -XVab -f a@example.com b@example.org
submit "-XV null sender" "$IN/plain" -XV -f '<>' b@example.org
submit "-B 8BITMIME" "$IN/8bit" -B 8BITMIME -f a@example.com b@example.org
submit "-B 7BIT" "$IN/plain" -B 7BIT -f a@example.com b@example.org
submit "-B bad" "$IN/plain" -B binary -f a@example.com b@example.org
submit "-G" "$IN/plain" -G -f a@example.com b@example.org
submit "-v" "$IN/plain" -v -f a@example.com b@example.org
submit "-bv" "$IN/plain" -bv -f a@example.com b@example.org 'c@example.org, d@example.org'
submit "-bv -t" "$IN/headers" -bv -t -f a@example.com
submit "-bm -odb -oem -oi -h -L -O" "$IN/dot" -bm -odb -oem -oi -h 10 -L tag -O x=y -f a@example.com b@example.org
submit "long lines" "$IN/long" -f a@example.com b@example.org
submit "long lines, small limit" "$IN/long" --cf 'line_length_limit = 512' -- -f a@example.com b@example.org
submit "CRLF" "$IN/crlf" -f a@example.com b@example.org
submit "CRLF strict" "$IN/crlf" --cf 'sendmail_fix_line_endings = strict' -- -f a@example.com b@example.org
submit "mixed strict" "$IN/mixed" --cf 'sendmail_fix_line_endings = strict' -- -f a@example.com b@example.org
submit "CRLF never" "$IN/crlf" --cf 'sendmail_fix_line_endings = never' -- -f a@example.com b@example.org
submit "bad sendmail_fix_line_endings" "$IN/plain" --cf 'sendmail_fix_line_endings = sometimes' -- -f a@example.com b@example.org
submit "From_ line" "$IN/from_" -f a@example.com b@example.org
submit ">>From_ line" "$IN/quotedfrom" -f a@example.com b@example.org
submit "lone dot" "$IN/dot" -f a@example.com b@example.org
submit "lone dot -i" "$IN/dot" -i -f a@example.com b@example.org
submit "lone dot -oi" "$IN/dot" -oi -f a@example.com b@example.org
submit "dots that do not end" "$IN/dotdot" -f a@example.com b@example.org
submit "8-bit body" "$IN/8bit" -f a@example.com b@example.org
submit "empty message" "$IN/empty" -f a@example.com b@example.org
submit "long queue ids" "$IN/plain" --cf 'enable_long_queue_ids = yes' -- -f a@example.com b@example.org
# Our sendmail where no postdrop of ours is next to it: it runs Postfix's, in
# $command_directory, and the file must be the same.
mkdir -p "$WORK/alone"
cp "$OURS_BIN/sendmail" "$WORK/alone/sendmail"
OURS_SENDMAIL=$WORK/alone/sendmail submit "our sendmail, Postfix's postdrop" "$IN/headers" -t -N delay -f a@example.com
PICKUP=fifo submit "pickup FIFO without reader" "$IN/plain" -f a@example.com b@example.org
PICKUP=socket submit "pickup socket" "$IN/plain" -f a@example.com b@example.org
# The listeners write what they got once the connection closes: wait for both.
for _ in $(seq 50); do
  [ -s "$WORK/pf/spool/public/pickup.got" ] && [ -s "$WORK/ours/spool/public/pickup.got" ] && break
  sleep 0.1
done
if [ "$(od -An -c "$WORK/pf/spool/public/pickup.got" | tr -d ' ')" = 'W\0' ] &&
  cmp -s "$WORK/pf/spool/public/pickup.got" "$WORK/ours/spool/public/pickup.got"; then
  ok "pickup socket: trigger"
else
  bad "pickup socket: trigger"
fi
# And Postfix's sendmail running our postdrop (command_directory points at ours).
submit "Postfix's sendmail, our postdrop" "$IN/headers" --cf "command_directory = $OURS_BIN" -- -t -f a@example.com
submit "no recipients" "$IN/plain" -f a@example.com
submit "-t with -bp" "$IN/plain" -t -bp
submit "-bp with recipient" "$IN/plain" -bp b@example.org
submit "-q with recipient" "$IN/plain" -q b@example.org
submit "-qX" "$IN/plain" -qX
submit "-qR empty" "$IN/plain" -qR
submit "-n" "$IN/plain" -n b@example.org
submit "-bz" "$IN/plain" -bz b@example.org
submit "-Xz" "$IN/plain" -Xz b@example.org
submit "unknown option" "$IN/plain" -Z b@example.org
submit "-q30m" "$IN/plain" -q30m
submit "-bh" "$IN/plain" -bh
# authorized_submit_users (user_acl.c): a list of login names; root here.
submit "submit ACL admits root" "$IN/plain" --cf 'authorized_submit_users = root' -- -f a@example.com b@example.org
submit "submit ACL refuses root" "$IN/plain" --cf 'authorized_submit_users = nobody' -- -f a@example.com b@example.org
submit "submit ACL !root first" "$IN/plain" --cf 'authorized_submit_users = !root, static:anyone' -- -f a@example.com b@example.org
submit "submit ACL table fails" "$IN/plain" --cf "authorized_submit_users = hash:$WORK/nonexistent" -- -f a@example.com b@example.org

# postdrop alone: records made by hand (type, 7-bit length groups, data).
rec() { python3 -c "
import sys
out = b''
args = sys.argv[1:]
for i in range(0, len(args), 2):
    t, d = args[i].encode('latin-1'), args[i + 1].encode('latin-1').decode('unicode_escape').encode('latin-1')
    n = len(d); ln = b''
    while True:
        b = n & 0x7f; n >>= 7
        ln += bytes([b | (0x80 if n else 0)])
        if not n: break
    out += t + ln + d
sys.stdout.buffer.write(out)
" "$@"; }
postdrop_case() { # postdrop_case NAME RECORDS...
  local name=$1
  shift
  rec "$@" >"$WORK/records"
  # POSTDROP_CF: one more main.cf line for both spools.
  spool pf ${POSTDROP_CF:+"$POSTDROP_CF"}
  spool ours ${POSTDROP_CF:+"$POSTDROP_CF"}
  (cd "$WORK" && exec /usr/sbin/postdrop -c "$WORK/pf/conf") <"$WORK/records" >"$WORK/pf.out" 2>"$WORK/pf.err"
  echo $? >"$WORK/pf.rc"
  (cd "$WORK" && exec "$OURS_BIN/postdrop" -c "$WORK/ours/conf") <"$WORK/records" >"$WORK/ours.out" 2>"$WORK/ours.err"
  echo $? >"$WORK/ours.rc"
  # The queue id in the handshake differs; keep its shape.
  STDOUT_FILTER='s/queue_id\x00[0-9A-Za-z]+/queue_id\x00ID/' same "postdrop $name: output" "$WORK/pf" "$WORK/ours"
  maildrop_view pf >"$WORK/pf.view"
  maildrop_view ours >"$WORK/ours.view"
  same_files "postdrop $name: maildrop file" "$WORK/pf.view" "$WORK/ours.view"
}
postdrop_case "minimal" S a@example.com R b@example.org M '' N hi X '' E ''
POSTDROP_CF='authorized_submit_users = nobody' postdrop_case "submit ACL refuses root" \
  S a@example.com R b@example.org M '' N hi X '' E ''
postdrop_case "attributes" A 'rewrite_context=remote' A ' encoding = 8bit ' A 'foo=bar' A 'noequals' A 'encoding=base64' \
  A 'trace_flags=1024' A 'dsn_orig_rcpt=rfc822;x@y' S a@example.com A 'notify_flags=2' R b@example.org M '' L 'ab' N 'cd' X '' A 'notify_flags=4' R c@example.org E ''
postdrop_case "no sender" R b@example.org M '' X '' E ''
postdrop_case "no recipient" S a@example.com M '' X '' E ''
postdrop_case "time record" T '1 2' S a@example.com R b@example.org M '' X '' E ''
postdrop_case "unexpected type" S a@example.com R b@example.org M '' S x X '' E ''
postdrop_case "NUL in sender" S 'a\x00b' R b@example.org M '' X '' E ''
postdrop_case "canceled" S a@example.com R b@example.org M ''
postdrop_case "empty input" 
printf 'S\377' >"$WORK/records.bad"
spool pf
spool ours
(cd "$WORK" && exec /usr/sbin/postdrop -c "$WORK/pf/conf") <"$WORK/records.bad" >"$WORK/pf.out" 2>"$WORK/pf.err"
echo $? >"$WORK/pf.rc"
(cd "$WORK" && exec "$OURS_BIN/postdrop" -c "$WORK/ours/conf") <"$WORK/records.bad" >"$WORK/ours.out" 2>"$WORK/ours.err"
echo $? >"$WORK/ours.rc"
STDOUT_FILTER='s/queue_id\x00[0-9A-Za-z]+/queue_id\x00ID/' same "postdrop truncated: output" "$WORK/pf" "$WORK/ours"
maildrop_view pf >"$WORK/pf.view"
maildrop_view ours >"$WORK/ours.view"
same_files "postdrop truncated: maildrop file" "$WORK/pf.view" "$WORK/ours.view"

[ -n "${KEEP_WORK:-}" ] && trap - EXIT
finish
