#!/usr/bin/env bash
# Delivery end to end against the real Postfix 3.7: a private Postfix instance (run by
# root, as installed; smtp, relay and lmtp are discard(8), so nothing leaves the machine)
# and a private Postline instance (an ordinary user, nobody under root) get the same
# main.cf (testdata/delivery: local users' mbox files under mail_spool_directory, aliases
# to a user, a file, a command, a Maildir, a list and an :include: list, unknown users, a
# discard and an error transport) and the same messages over SMTP, one at a time, each
# waited for until both queues are empty. Then every mbox, Maildir, file and command
# output, the delivery log lines (a sorted multiset) and each non-delivery or success
# report (its MIME tree and delivery-status fields, as Python's email module reads them)
# must be Postfix's, with queue ids, times and the scratch directory masked. Last, a
# private Dovecot (IMAP and POP3 on loopback) must list and read every message Postline
# delivered as it is on disk. Until Postline has the delivery daemons, the Postline side
# is skipped (exit 77) after the Postfix side has been checked on its own.
# Usage: tests/integration/deliver.sh BUILD_DIR/bin (as root). PF_PORT, PL_PORT,
# DV_IMAP_PORT and DV_POP3_PORT pick the ports (10750-10753); KEEP_WORK=1 keeps the tree;
# PL_FORCE=1 runs the Postline side with whatever daemons there are (it then fails).
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/../interop/lib.bash"
PF_PORT=${PF_PORT:-10750}
PL_PORT=${PL_PORT:-10751}
DV_IMAP_PORT=${DV_IMAP_PORT:-10752}
DV_POP3_PORT=${DV_POP3_PORT:-10753}
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
# shellcheck source=tests/integration/postline_instance.bash
source "$HERE/../integration/postline_instance.bash"
# shellcheck source=tests/integration/dovecot.bash
source "$HERE/../integration/dovecot.bash"
INTEGRATION=$HERE/../integration
DATA=$(cd "$HERE/../../testdata/delivery" && pwd)
pf_instance_guard deliver
pl_instance_guard deliver
trap 'dv_stop; pl_stop; stop_instance
      if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi' EXIT

# The daemons the Postline side needs besides master, smtpd and cleanup.
missing=()
for program in master smtpd cleanup qmgr local bounce error discard virtual pipe; do
  [ -x "$OURS_BIN/../libexec/$program" ] || missing+=("$program")
done
if [ "${PL_FORCE:-0}" = 1 ] && ((${#missing[@]})); then
  echo "note: PL_FORCE=1: the Postline side runs without ${missing[*]}"
  missing=()
fi

# delivery_conf ROOT PORT: ROOT/conf as both instances have it (main.cf, master.cf,
# aliases, the :include: list, transport), with @ROOT@ made ROOT; ROOT/out for the
# files, commands and the Maildir the aliases write (written by default_privs, nobody).
delivery_conf() {
  local root=$1 port=$2 f
  mkdir -p "$root/conf" "$root/queue" "$root/data" "$root/spool" "$root/out"
  pf_main_cf "$root/conf/main.cf" "$root"
  # The shared settings this configuration sets again are left out (Postfix would warn
  # of each).
  local key
  while IFS= read -r key; do
    sed -i "/^$key *=/d" "$root/conf/main.cf"
  done < <(sed -nE 's/^([a-z_]+) *=.*/\1/p' "$DATA/main.cf")
  sed "s|@ROOT@|$root|g" "$DATA/main.cf" >>"$root/conf/main.cf"
  for f in aliases incl.list transport relocated header_checks vmailbox; do
    sed "s|@ROOT@|$root|g" "$DATA/$f" >"$root/conf/$f"
  done
  cp "$DATA/pipe.sh" "$root/conf/pipe.sh"
  # virtual(8) makes a Maildir's directories but not an mbox file's: the domain's
  # directory is there.
  mkdir -p "$root/forward" "$root/vmail/virt.example"
  sed "s|@ROOT@|$root|g" "$DATA/nobody+fwd.forward" >"$root/forward/nobody+fwd.forward"
  chown nobody "$root/forward/nobody+fwd.forward"
  # master.cf: the shared one (smtp, relay and lmtp discard), with the real virtual(8)
  # and a pipe(8) service.
  PF_PORT=$port pf_master_cf "$root/conf/master.cf"
  sed -i 's/^virtual .*/virtual   unix  - n n - - virtual/' "$root/conf/master.cf"
  echo "pipetest  unix  - n n - - pipe flags=FR user=nobody argv=/bin/sh $root/conf/pipe.sh \${sender} \${recipient} \${nexthop} \${extension} \${user} \${mailbox}" >>"$root/conf/master.cf"
  # The mail spool is world-writable and sticky (local delivers as the recipient), and
  # so are the output directory and virtual_mailbox_base.
  chmod 1777 "$root/spool" "$root/out" "$root/vmail" "$root/vmail/virt.example"
}

# Postfix.
PF_ROOT=$WORK/pf
delivery_conf "$PF_ROOT" "$PF_PORT"
chown postfix "$PF_ROOT/data"
touch -d '1 hour ago' "$PF_ROOT/conf/main.cf"
chmod -R a+rX "$PF_ROOT/conf" "$PF_ROOT/queue"
/usr/sbin/postalias -c "$PF_ROOT/conf" "hash:$PF_ROOT/conf/aliases" || exit 1
for map in transport relocated vmailbox; do
  /usr/sbin/postmap -c "$PF_ROOT/conf" "hash:$PF_ROOT/conf/$map" || exit 1
done
if ! /usr/sbin/postfix -c "$PF_ROOT/conf" start >"$WORK/pf-start.log" 2>&1; then
  cat "$WORK/pf-start.log" >&2
  exit 1
fi
RUNNING=$PF_ROOT/conf

# Postline.
PL_ROOT=$WORK/pl
targets=("$PF_PORT:$PF_ROOT")
if ((${#missing[@]} == 0)); then
  pl_root "$PL_ROOT"
  delivery_conf "$PL_ROOT" "$PL_PORT"
  chown -R "$PL_USER" "$PL_ROOT"
  as_pl_user "$OURS_BIN/postalias" -c "$PL_ROOT/conf" "hash:$PL_ROOT/conf/aliases" || exit 1
  for map in transport relocated vmailbox; do
    as_pl_user "$OURS_BIN/postmap" -c "$PL_ROOT/conf" "hash:$PL_ROOT/conf/$map" || exit 1
  done
  pl_start "$PL_ROOT"
  targets+=("$PL_PORT:$PL_ROOT")
fi

# The messages, into both.
if python3 "$INTEGRATION/delivery.py" send "${targets[@]}" 2>"$WORK/send.err"; then
  ok "every message accepted and every queue empty afterwards"
else
  bad "every message accepted and every queue empty afterwards" "$WORK/send.err"
fi

# The second round: both reload with mailbox_command (local(8) pipes mailbox deliveries
# to a command, as the recipient) and luser_relay (unknown users go to nobody+luser).
second_round() { # second_round ROOT AS...: postconf -e and postfix reload, run by AS
  local root=$1 postconf=$2 postfix=$3
  shift 3
  "$@" "$postconf" -c "$root/conf" -e \
    "mailbox_command = /bin/sh -c 'env | grep -e ^SENDER= -e ^RECIPIENT= -e ^LOCAL= -e ^EXTENSION= -e ^DOMAIN= -e ^ORIGINAL_RECIPIENT= -e ^USER= -e ^LOGNAME= -e ^HOME= -e ^SHELL= -e ^PATH= | sort >> $root/out/mailbox_command.\$USER.env; cat >> $root/out/mailbox_command.\$USER.out'" \
    'luser_relay = nobody+luser@deliver.example' || return 1
  touch -d '1 hour ago' "$root/conf/main.cf"
  "$@" "$postfix" -c "$root/conf" reload >"$root/reload.log" 2>&1 || { cat "$root/reload.log" >&2; return 1; }
}
second_round "$PF_ROOT" /usr/sbin/postconf /usr/sbin/postfix env || bad "Postfix reloads for the second round"
if ((${#missing[@]} == 0)); then
  second_round "$PL_ROOT" "$OURS_BIN/postconf" "$OURS_BIN/postfix" as_pl_user ||
    bad "Postline reloads for the second round"
fi
# The daemons pick the new configuration up as they start again.
sleep 2
if python3 "$INTEGRATION/delivery.py" send2 "${targets[@]}" 2>"$WORK/send2.err"; then
  ok "second round (mailbox_command, luser_relay): every message accepted and delivered"
else
  bad "second round (mailbox_command, luser_relay): every message accepted and delivered" "$WORK/send2.err"
fi

python3 "$INTEGRATION/delivery.py" normalize "$PF_ROOT" "$WORK/pf.out" || bad "normalize Postfix's deliveries"

# What the configuration must make Postfix do, so that the comparison below compares
# something: each kind of destination written, a non-delivery report for messages 10,
# 11, 12, 17, 19, 23 and 24 and a success report for message 20 (delivery.py numbers
# them), mailbox_command's output for daemon and nobody (the second round).
expect_artifacts() { # expect_artifacts: the artifacts a complete run has
  printf '%s\n' file.out.forward.file file.out.incl.file file.out.list.file file.out.tofile.mbox \
    file.vmail.virt.example.vmb log.delivery maildir.out.Maildir maildir.vmail.virt.example.vmd \
    mbox.bin mbox.bin.report.for-message-{10,17,19,20,24} mbox.daemon mbox.nobody mbox.sys \
    mbox.sys.report.for-message-{11,12,23} messages output.out.mailbox_command.{daemon,nobody}.{env,out} \
    output.out.pipe.out output.out.tocmd.env output.out.tocmd.out
}
expect_artifacts >"$WORK/expected.artifacts"
same_files "Postfix's deliveries: every kind of destination written" "$WORK/expected.artifacts" \
  "$WORK/pf.out/artifacts"
grep -E 'status=(sent|bounced)' "$WORK/pf.out/log.delivery" | sed -E 's/.*status=([a-z]+).*/\1/' | sort | uniq -c |
  awk '{print $2, $1}' >"$WORK/pf.statuses"
printf 'bounced 8\nsent 49\n' >"$WORK/expected.statuses"
same_files "Postfix's log: 49 deliveries, 8 bounces" "$WORK/expected.statuses" "$WORK/pf.statuses"

if ((${#missing[@]} == 0)); then
  python3 "$INTEGRATION/delivery.py" normalize "$PL_ROOT" "$WORK/pl.out" || bad "normalize Postline's deliveries"
  same_files "the same mailboxes, files, command outputs and reports" "$WORK/pf.out/artifacts" \
    "$WORK/pl.out/artifacts"
  while IFS= read -r name; do
    case $name in
      log.delivery) what="the delivery log lines (to=, relay=, dsn=, status=, removed; as a set)" ;;
      messages) what="every message accepted, delivered and removed" ;;
      *.report*) what="report $name: MIME structure and delivery-status fields" ;;
      *) what="$name, file by file" ;;
    esac
    [ -f "$WORK/pl.out/$name" ] || continue
    same_files "$what" "$WORK/pf.out/$name" "$WORK/pl.out/$name"
  done <"$WORK/pf.out/artifacts"
fi

# Nothing is written after this.
pl_stop
stop_instance

# What pflogsumm makes of the two logs: the totals (received, delivered, forwarded,
# bounced, discarded, bytes, senders, recipients), the bounce and discard details, the
# per-domain delivery summary and the senders and recipients by count and by size
# (not the per-hour table, nor the delay columns, which are times).
pflog_summary() { # pflog_summary MAILLOG
  # A line that is not indented opens a section (but the totals' "messages" line); the
  # lines of a section are sorted, as pflogsumm orders equal counts as it likes.
  pflogsumm --detail 10 --problems_first "$1" 2>&1 | awk '
    /^-+$/ || /^$/ || /^messages$/ { next }
    /^[^ ]/ {
      on = 0
      section++
      if ($0 ~ /^(Grand Totals|message bounce detail|message discard detail|top 10 (Senders|Recipients) by message (count|size))/) on = 1
      if ($0 ~ /^Host\/Domain Summary: Message Delivery/) on = 2
      if (on) printf "%03d\t0\t%s\n", section, $0
      next
    }
    on == 1 { printf "%03d\t1\t%s\n", section, $0 }
    on == 2 && NF >= 7 { printf "%03d\t1\t%s %s %s\n", section, $1, $2, $NF }  # not the delays
  ' | sort | cut -f3-
}
if ((${#missing[@]} == 0)); then
  pflog_summary "$PF_ROOT/maillog" >"$WORK/pf.pflogsumm"
  pflog_summary "$PL_ROOT/maillog" >"$WORK/pl.pflogsumm"
  same_files "pflogsumm: the same totals, bounces, discards, domains, senders and recipients" \
    "$WORK/pf.pflogsumm" "$WORK/pl.pflogsumm"
fi

# dovecot_users ROOT NAME: the passwd-file and list of users through which Dovecot reads
# every mailbox under ROOT (spool/USER, out/*.mbox and out/*.file as mbox INBOXes,
# out/Maildir as a Maildir).
dovecot_users() {
  local root=$1 dir=$WORK/dovecot-$2 f user
  mkdir -p "$dir"
  : >"$dir/passwd"
  : >"$dir/users"
  for f in "$root"/spool/* "$root"/out/*.mbox "$root"/out/*.file; do
    [ -f "$f" ] || continue
    case $f in *.lock) continue ;; esac
    user=$(basename "$f")
    dv_user "$dir/passwd" "$user" "mbox:$dir/home/$user/mail:INBOX=$f"
    echo "$user mbox $f" >>"$dir/users"
  done
  if [ -d "$root/out/Maildir" ]; then
    dv_user "$dir/passwd" maildir "maildir:$root/out/Maildir"
    echo "maildir maildir $root/out/Maildir" >>"$dir/users"
  fi
  # virtual(8)'s mailboxes: a Maildir and an mbox.
  if [ -d "$root/vmail/virt.example/vmd" ]; then
    dv_user "$dir/passwd" vmd "maildir:$root/vmail/virt.example/vmd"
    echo "vmd maildir $root/vmail/virt.example/vmd" >>"$dir/users"
  fi
  if [ -f "$root/vmail/virt.example/vmb" ]; then
    dv_user "$dir/passwd" vmb "mbox:$dir/home/vmb/mail:INBOX=$root/vmail/virt.example/vmb"
    echo "vmb mbox $root/vmail/virt.example/vmb" >>"$dir/users"
  fi
}

# dovecot_read ROOT NAME LABEL: a private Dovecot (in WORK/dovecot-NAME) reads every
# mailbox under ROOT over IMAP and POP3; LABEL names them in the report.
dovecot_read() {
  local root=$1 name=$2 label=$3
  dovecot_users "$root" "$name"
  if ! dv_start "$WORK/dovecot-$name" "$WORK/dovecot-$name/passwd" 2>"$WORK/dovecot-$name.err"; then
    bad "Dovecot starts on 127.0.0.1:$DV_IMAP_PORT and :$DV_POP3_PORT" "$WORK/dovecot-$name.err"
    return
  fi
  local line
  while IFS= read -r line; do
    case $line in
      PASS\ *) ok "$label: ${line#PASS }" ;;
      FAIL\ *) bad "$label: ${line#FAIL }" ;;
    esac
  done < <(python3 "$INTEGRATION/delivery.py" read "$WORK/dovecot-$name/users" "$DV_IMAP_PORT" "$DV_POP3_PORT" \
    "$DV_PASSWORD" 2>"$WORK/dovecot-$name.read.err")
  [ -s "$WORK/dovecot-$name.read.err" ] && sed 's/^/    /' "$WORK/dovecot-$name.read.err"
  grep -qE 'Error|Fatal|Panic' "$WORK/dovecot-$name/dovecot.log" &&
    bad "$label: Dovecot logs no error" "$WORK/dovecot-$name/dovecot.log"
  dv_stop
}

# Dovecot reads a copy of Postfix's deliveries first (owned by the user Dovecot runs
# as), which shows that the reader works, then Postline's own.
mkdir -p "$WORK/pf-copy"
cp -a "$PF_ROOT/spool" "$PF_ROOT/out" "$PF_ROOT/vmail" "$WORK/pf-copy/"
chown -R "$PL_USER" "$WORK/pf-copy"
dovecot_read "$WORK/pf-copy" pf "Postfix's deliveries (a copy)"
if ((${#missing[@]} == 0)); then
  dovecot_read "$PL_ROOT" pl "Postline's deliveries"
fi

if ((${#missing[@]})); then
  echo "$pass passed, $fail failed"
  if ((fail)); then exit 1; fi
  echo "SKIP the Postline side: not built yet in $OURS_BIN/../libexec: ${missing[*]}"
  exit 77
fi
finish
