#!/usr/bin/env bash
# Differential test of postqueue(1) and mailq(1): a private Postfix 3.7 instance on
# 127.0.0.1 (discard transports only) queues held, deferred (two different reasons),
# partly delivered, multi-recipient, DSN, 8-bit and SMTPUTF8 mail and maildrop files;
# then Postfix's "postqueue -p", "postqueue -j" and "mailq" and ours (both ask Postfix's
# showq service) must print the same, with the same exit status: with the instance
# running, and stopped (Postfix's postqueue then runs showq itself, ours reads the queue
# directory); and Postfix's showq and ours write the same stream for each spool; after an active file and a forced expiry are added; an empty queue; short
# and long queue ids; flush requests (to a running flush service too), authorized_mailq_users and authorized_flush_users,
# and usage errors.
# Usage: tests/interop/postqueue.sh BUILD_DIR/bin (as root: it starts Postfix).
# PF_PORT picks the instance's port (default 10729); KEEP_WORK=1 keeps the scratch tree.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/lib.bash"
PF_PORT=${PF_PORT:-10729}
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"

pf_instance_guard postqueue

# Both programs run through PATH as postqueue and mailq: Postfix's mailq is its sendmail.
mkdir -p "$WORK/runs" "$WORK/pfbin" "$WORK/oursbin"
ln -s "$PF_SBIN/postqueue" "$WORK/pfbin/postqueue"
ln -s /usr/sbin/sendmail "$WORK/pfbin/mailq"
# Ours installed as Postfix installs its postqueue: set-gid postdrop (so that it checks
# the configuration directory of a user's -c as Postfix's does).
cp "$OURS_BIN/postqueue" "$WORK/oursbin/postqueue"
chgrp postdrop "$WORK/oursbin/postqueue"
chmod 2755 "$WORK/oursbin/postqueue"
ln -s postqueue "$WORK/oursbin/mailq"
runs=0
run_both() { # run_both NAME PROGRAM ARGS...
  local name=$1 prog=$2 pfx
  shift 2
  runs=$((runs + 1))
  pfx=$WORK/runs/$runs
  capture "$pfx.pf" / /dev/null env "PATH=$WORK/pfbin:/usr/bin:/bin" "$prog" "$@"
  capture "$pfx.ours" / /dev/null env "PATH=$WORK/oursbin:/usr/bin:/bin" "$prog" "$@"
  same "$name" "$pfx.pf" "$pfx.ours"
}
# The listings of one spool, both ways.
compare_listings() { # compare_listings LABEL CONF
  local label=$1 conf=$2
  run_both "$label: postqueue -p" postqueue -c "$conf" -p
  run_both "$label: postqueue -j" postqueue -c "$conf" -j
  run_both "$label: mailq" mailq -C "$conf"
  run_both "$label: mailq -C main.cf -v" mailq -C "$conf/main.cf"
  compare_showq "$label" "$conf"
}
# The showq stream itself, byte for byte: Postfix's showq and ours, each run by root
# stand-alone ("showq -u -S", as Postfix's postqueue runs it when the mail system is
# down) over the same spool. (Ours reads the generation `postline compile` makes of the
# instance's configuration; NULs are shown as newlines, and the diagnostics of both go
# to the mail log.)
compare_showq() { # compare_showq LABEL CONF
  local label=$1 conf=$2 pfx side
  runs=$((runs + 1))
  pfx=$WORK/runs/$runs
  # (retry.example's transport is missing on purpose: the linter's error is turned off.)
  if [ ! -e "$conf/compiled/current" ] &&
    ! "$OURS_BIN/postline" compile -c "$conf" --disable transport-undefined >"$pfx.compile" 2>&1; then
    bad "$label: showq -u -S (compiling for ours)" "$pfx.compile"
    return
  fi
  capture "$pfx.pf" / /dev/null env MAIL_CONFIG="$conf" /usr/lib/postfix/sbin/showq -u -S
  capture "$pfx.ours" / /dev/null env MAIL_CONFIG="$conf" "$OURS_BIN/../libexec/showq" -u -S
  for side in pf ours; do
    tr '\0' '\n' <"$pfx.$side.out" >"$pfx.$side.text"
    mv "$pfx.$side.text" "$pfx.$side.out"
    : >"$pfx.$side.err"
  done
  same "$label: showq -u -S" "$pfx.pf" "$pfx.ours"
}

# instance NAME LONG_IDS: configuration and queue of one instance under $WORK/NAME. Mail
# to later.example is deferred (defer_transports), to retry.example deferred with
# another reason (a transport that master.cf lacks), to done.example delivered by discard(8); mail from
# hold@example.org is held; no pickup service, so maildrop files stay.
instance() {
  local root=$WORK/$1 long=$2
  mkdir -p "$root/conf" "$root/queue" "$root/data" "$root/spool"
  chown postfix "$root/data"
  pf_main_cf "$root/conf/main.cf" "$root"
  sed -i '/^maximal_queue_lifetime = /d; /^bounce_queue_lifetime = /d' "$root/conf/main.cf"
  cat >>"$root/conf/main.cf" <<MAIN
maximal_queue_lifetime = 5d
bounce_queue_lifetime = 5d
smtputf8_enable = yes
smtpd_sender_restrictions = check_sender_access inline:{hold@example.org=HOLD}
transport_maps = inline:{done.example=discard:, later.example=smtp:, retry.example=nosuch:}
defer_transports = smtp
fast_flush_domains = later.example
enable_long_queue_ids = $long
MAIN
  if [ "$long" = yes ]; then
    printf 'hash_queue_names = deferred, hold, defer\nhash_queue_depth = 2\n' >>"$root/conf/main.cf"
  fi
  pf_master_cf "$root/conf/master.cf"
  sed -i '/^pickup /d' "$root/conf/master.cf"
  touch -d '1 hour ago' "$root/conf/main.cf"
  chmod -R a+rX "$root"
}
start() { # start NAME
  if ! /usr/sbin/postfix -c "$WORK/$1/conf" start >"$WORK/start.log" 2>&1; then
    cat "$WORK/start.log" >&2
    exit 1
  fi
  RUNNING=$WORK/$1/conf
}
# fill NAME: mail of every kind, then wait until nothing is in incoming or active.
fill() {
  local root=$WORK/$1 count
  count=$(python3 "$HERE/postcat_mail.py" "$PF_PORT" 2>"$WORK/mail.err") || {
    cat "$WORK/mail.err" >&2
    exit 1
  }
  python3 - "$PF_PORT" <<'PY' || exit 1
import smtplib, sys
port = int(sys.argv[1])
# Deferred for two reasons, partly delivered, a quoted local part, the null sender.
for sender, rcpts in [
    ("multi@example.org", ["r1@later.example", "r2@retry.example", "r3@later.example", "r4@retry.example",
                           "d@done.example", "\"odd name\"@later.example"]),
    ("", ["bounce@retry.example"]),
]:
    with smtplib.SMTP("127.0.0.1", port) as s:
        s.ehlo("client.example")
        s.mail(sender)
        for r in rcpts:
            code, text = s.rcpt(r)
            if code != 250:
                sys.exit("RCPT %s: %d %s" % (r, code, text))
        s.data(b"Subject: reasons\r\n\r\nbody\r\n")
PY
  count=$((count + 2))
  printf 'Subject: maildrop\n\nfrom sendmail\n' |
    /usr/sbin/sendmail -C "$root/conf" -f drop@example.org -F 'Drop Sender' to@later.example other@later.example 2>>"$WORK/sendmail.err"
  printf 'To: t1@later.example\n\nbody\n' | /usr/sbin/sendmail -C "$root/conf" -t -i 2>>"$WORK/sendmail.err"
  count=$((count + 2))
  queued() { find "$root/queue/hold" "$root/queue/deferred" "$root/queue/maildrop" -type f 2>/dev/null | wc -l; }
  busy() { find "$root/queue/incoming" "$root/queue/active" -type f 2>/dev/null | wc -l; }
  for _ in $(seq 1 300); do
    if [ "$(queued)" -ge "$count" ] && [ "$(busy)" = 0 ]; then break; fi
    sleep 0.1
  done
  if [ "$(queued)" -lt "$count" ]; then
    echo "postqueue: only $(queued) of $count messages were queued" >&2
    exit 1
  fi
}

for ids in long short; do
  name=$ids
  instance "$name" "$([ "$ids" = long ] && echo yes || echo no)"
  conf=$WORK/$name/conf
  queue=$WORK/$name/queue
  start "$name"
  compare_listings "$ids ids, empty queue, running" "$conf"
  fill "$name"
  compare_listings "$ids ids, running" "$conf"
  # -f with the mail system up: the queue manager takes the trigger (and retries the
  # deferred mail, which is deferred again); pickup, which these instances do not run,
  # cannot: the same warning and failure from both.
  run_both "$ids ids, running: postqueue -f" postqueue -c "$conf" -f
  run_both "$ids ids, running: mailq -q" mailq -C "$conf" -q
  # -s and -i with the flush service up: a site of fast_flush_domains, a site that is
  # not (refused without asking the service), a queued message, an unknown id.
  run_both "$ids ids, running: postqueue -s later.example" postqueue -c "$conf" -s later.example
  run_both "$ids ids, running: postqueue -s elsewhere.example" postqueue -c "$conf" -s elsewhere.example
  deferred_id=$(basename "$(find "$queue/deferred" -type f | sort | head -n 1)")
  run_both "$ids ids, running: postqueue -i ID" postqueue -c "$conf" -i "$deferred_id"
  run_both "$ids ids, running: postqueue -i unknown" postqueue -c "$conf" -i ABCDEF123
  for _ in $(seq 1 300); do
    [ "$(find "$queue/incoming" "$queue/active" -type f | wc -l)" = 0 ] && break
    sleep 0.1
  done
  stop_instance
  compare_listings "$ids ids, stopped" "$conf"
  # An active file (a deferred one moved there) and one forced to expire (postsuper -e
  # sets the group-execute bit); a file still being written (no owner-execute bit) and
  # a file with a name that is no queue id are not listed.
  moved=$(find "$queue/deferred" -type f | sort | head -n 1)
  mv "$moved" "$queue/active/"
  expired=$(find "$queue/hold" -type f | sort | head -n 1)
  chmod 0710 "$expired"
  partial=$(find "$queue/hold" -type f | sort | tail -n 1)
  chmod 0600 "$partial"
  cp "$expired" "$queue/incoming/not.an.id"
  # A defer log that lacks some recipients (delivery interrupted): those are listed
  # after it as "(reason unavailable)".
  longest=$(find "$queue/defer" -type f -exec wc -l {} + | grep -v ' total$' | sort -n | tail -n 1 | awk '{print $2}')
  python3 - "$longest" <<'PY'
import sys
path = sys.argv[1]
entries = open(path, "rb").read().split(b"\n\n")
entries = [e for e in entries if e.strip()]
open(path, "wb").write(b"".join(e + b"\n\n" for e in entries[:-2]))
PY
  compare_listings "$ids ids, active, expired, incomplete" "$conf"
done

# Flush requests and errors, with the instance stopped (its sockets remain) and with
# no instance at all.
conf=$WORK/long/conf
mkconf none "queue_directory = $WORK/none-queue" 'compatibility_level = 3.6'
mkdir -p "$WORK/none-queue"
mkconf nodir "queue_directory = $WORK/no-such-queue" 'compatibility_level = 3.6'
for c in "$conf" "$WORK/conf/none"; do
  run_both "flush -f ($c)" postqueue -c "$c" -f
  run_both "flush -s ($c)" postqueue -c "$c" -s example.com
  run_both "flush -s bad ($c)" postqueue -c "$c" -s 'bad site!'
  run_both "flush -i ($c)" postqueue -c "$c" -i ABCDEF
  run_both "flush -i bad ($c)" postqueue -c "$c" -i x/y
  run_both "mailq -q ($c)" mailq -C "$c" -q
  run_both "no queue directories ($c)" postqueue -c "$c" -p
done
# authorized_mailq_users and authorized_flush_users (user_acl.c), checked for anyone but
# root and mail_owner: nobody is refused, root and a listed user are not. A user's -c
# names a directory that the default main.cf must bless (alternate_config_directories):
# these runs see a private /etc/postfix (a mount namespace) whose main.cf does.
chmod o+x "$WORK"
mkconf acl "queue_directory = $WORK/none-queue" 'compatibility_level = 3.6' \
  'authorized_mailq_users = root' 'authorized_flush_users = !nobody, static:anyone'
mkconf acl_table "queue_directory = $WORK/none-queue" 'compatibility_level = 3.6' \
  "authorized_mailq_users = hash:$WORK/nonexistent"
mkconf unlisted "queue_directory = $WORK/none-queue" 'compatibility_level = 3.6'
cp -a /etc/postfix "$WORK/etc-postfix"
printf 'alternate_config_directories = %s, %s\n' "$WORK/conf/acl" "$WORK/conf/acl_table" >"$WORK/etc-postfix/main.cf"
chmod -R a+rX "$WORK/etc-postfix"
# shellcheck disable=SC2016 # expanded by the inner shell
nobody=(unshare --mount -- sh -c 'mount --bind "$0" /etc/postfix && exec setpriv --reuid=nobody --regid=nogroup \
  --clear-groups "$@"' "$WORK/etc-postfix")
for what in -p -j -f "-s example.com" "-i ABCDEF"; do
  # shellcheck disable=SC2086 # the option and its argument are two words
  run_both "ACL refuses nobody: postqueue $what" "${nobody[@]}" postqueue -c "$WORK/conf/acl" $what
done
run_both "ACL refuses nobody: mailq" "${nobody[@]}" mailq -C "$WORK/conf/acl"
run_both "ACL admits root: postqueue -p" postqueue -c "$WORK/conf/acl" -p
run_both "ACL table fails: postqueue -p" "${nobody[@]}" postqueue -c "$WORK/conf/acl_table" -p
run_both "ACL table ignored for root: postqueue -p" postqueue -c "$WORK/conf/acl_table" -p
run_both "unlisted -c for a user: postqueue -p" "${nobody[@]}" postqueue -c "$WORK/conf/unlisted" -p
run_both "unlisted -C for a user: mailq" "${nobody[@]}" mailq -C "$WORK/conf/unlisted/main.cf"
run_both "unlisted -c for root: postqueue -p" postqueue -c "$WORK/conf/unlisted" -p

run_both "usage: no option" postqueue -c "$conf"
run_both "usage: two modes" postqueue -c "$conf" -p -j
run_both "usage: bad option" postqueue -c "$conf" -x
run_both "usage: argument" postqueue -c "$conf" -p extra
run_both "missing config" postqueue -c "$WORK/no-such-dir" -p
run_both "chdir failure" postqueue -c "$WORK/conf/nodir" -p
run_both "mailq recipient" mailq -C "$conf" someone@example.org
run_both "mailq bad option" mailq -C "$conf" -Z

finish
