#!/usr/bin/env bash
# Differential test of smtpd(8): every testdata/smtp/transcripts/*.txt (client lines) is
# sent to Postfix's smtpd and to ours, both run stand-alone (-S, SMTP on stdin) as the
# mail owner of one private Postfix 3.7 instance, so that both use its cleanup service
# and run their restrictions (run by another user, Postfix's smtpd is "sendmail -bs" and
# skips them). The replies must be the same byte for byte, and so must smtpd's log lines
# (queue ids masked, the "improper command pipelining" text shortened) and the queue
# files Postfix's cleanup made of the accepted mail (postcat; no qmgr runs, so they stay
# in incoming/; queue ids, times and sizes masked).
# Usage: tests/interop/smtpd_transcripts.sh BUILD_DIR/bin (as root: it starts Postfix).
# PF_PORT picks the instance's port (default 10745); KEEP_WORK=1 keeps the scratch tree;
# ONLY=GLOB runs only the transcripts whose names match GLOB (ONLY='xclient*').
# shellcheck source=tests/interop/lib.bash
source "$(dirname "$0")/lib.bash"
PF_PORT=${PF_PORT:-10745}
PF_SMTPD=/usr/lib/postfix/sbin/smtpd
OURS_SMTPD=$OURS_BIN/../libexec/smtpd
if [ "$(id -u)" != 0 ]; then
  echo "SKIP smtpd_transcripts: must run as root (it starts a private Postfix instance)"
  exit 0
fi
if [ ! -x "$PF_SMTPD" ] || [ ! -x /usr/sbin/postfix ]; then
  echo "SKIP smtpd_transcripts: Postfix is not installed"
  exit 0
fi
# shellcheck source=tests/interop/postfix_instance.bash
source "$HERE/postfix_instance.bash"
pf_instance_guard smtpd_transcripts
CASES=$(cd "$HERE/../../testdata/smtp/transcripts" && pwd)

ROOT=$WORK/pf
CONF=$ROOT/conf
mkdir -p "$CONF" "$ROOT/queue" "$ROOT/data" "$ROOT/spool" "$ROOT/ourlog" "$WORK/runs"
chown postfix "$ROOT/data" "$ROOT/ourlog"
pf_main_cf "$CONF/main.cf" "$ROOT"
pf_master_cf "$CONF/master.cf"
sed -i '/^qmgr /d' "$CONF/master.cf"
touch -d '1 hour ago' "$CONF/main.cf"
chmod -R a+rX "$WORK"
/usr/sbin/postfix -c "$CONF" start >/dev/null 2>&1 || {
  echo "FAIL cannot start the Postfix instance"
  exit 1
}
RUNNING=$CONF
if ! "$OURS_BIN/postline" compile -c "$CONF" >"$WORK/compile.out" 2>&1; then
  bad "postline compile" "$WORK/compile.out"
  finish
fi
chmod -R a+rX "$CONF"
# Postfix's log goes through its postlogd to maillog; ours to a file of its own.
PF_LOG=$ROOT/maillog
OURS_LOG=$ROOT/ourlog/maillog
for _ in $(seq 50); do [ -e "$PF_LOG" ] && break; sleep 0.1; done

# input FILE: the bytes a transcript sends (README.md there describes the format).
input() {
  python3 - "$1" <<'PY'
import re, sys
out = bytearray()
for line in open(sys.argv[1], encoding="utf-8").read().split("\n")[:-1]:
    if line.startswith("#"):
        continue
    line = re.sub(r"\{(.)\*(\d+)\}", lambda m: m.group(1) * int(m.group(2)), line)
    end = b"\r\n"
    if line.endswith("<LF>"):
        line, end = line[:-4], b"\n"
    elif line.endswith("<NOEOL>"):
        line, end = line[:-7], b""
    data = re.sub(rb"\\x([0-9a-fA-F]{2})", lambda m: bytes([int(m.group(1), 16)]), line.encode())
    out += data + end
sys.stdout.buffer.write(out)
PY
}
# hold FILE: the seconds a transcript keeps its input open after the last line (#!sleep N).
hold() { sed -n 's/^#!sleep //p' "$1" | head -n 1; }
# feed IN WAIT COMMAND...: runs COMMAND with the client's input IN on its standard input,
# all of it there before the server starts (a file; with a WAIT, a pipe that stays open
# WAIT seconds after it was filled): whether the server sees the client talk before its
# greeting must not depend on which process the machine schedules first.
feed() {
  local in=$1 wait=${2:-0}
  shift 2
  if [ "$wait" = 0 ]; then
    "$@" <"$in"
  else
    { cat "$in"; sleep "$wait"; } | { sleep 0.2; "$@"; }
  fi
}
# overrides FILE: the "-o name=value" arguments of a transcript.
overrides() {
  sed -n 's/^#!o //p' "$1" | while IFS= read -r o; do printf -- '-o\n%s\n' "$o"; done
}
# smtpd_lines LOG FROM: smtpd's lines of LOG after line FROM, without time, host and pid;
# queue ids masked.
smtpd_lines() {
  tail -n +"$(($2 + 1))" "$1" | grep ' postfix/smtpd\[' |
    sed -E 's/^.* postfix\/smtpd\[[0-9]+\]: //; s/\b[0-9A-F]{8,12}\b/QUEUEID/g; s/^(improper command pipelining after [A-Z ]+ from [^:]*:).*/\1 .../'
}
mask() { sed -E 's/queued as [0-9A-Za-z]+/queued as QUEUEID/'; }
# new_messages STAMP: postcat of the complete (owner-execute) queue files in incoming/ and hold/
# newer than STAMP, oldest first, with what differs between two runs masked.
new_messages() {
  local f
  find "$ROOT/queue/incoming" "$ROOT/queue/hold" -type f -perm -u+x -newer "$1" -printf '%T@ %p\n' | sort -n | cut -d' ' -f2- |
    while IFS= read -r f; do
      /usr/sbin/postcat -c "$CONF" "$f" 2>&1
    done | sed -E 's/\b[0-9A-F]{8,12}\b/QUEUEID/g; s/^\*\*\* ENVELOPE RECORDS .*/*** ENVELOPE RECORDS ***/;
      s/^(message_arrival_time|create_time): .*/\1: TIME/; s/^message_size: .*/message_size: SIZES/;
      s/[A-Z][a-z]{2}, [ 0-9][0-9] [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} [-+][0-9]{4} \([A-Za-z0-9+-]+\)/DATE/'
}
# wait_log LOG FROM: until LOG has smtpd's "disconnect from" after line FROM (postlogd
# writes a moment later).
wait_log() {
  for _ in $(seq 50); do
    tail -n +"$(($2 + 1))" "$1" 2>/dev/null | grep -q ' postfix/smtpd\[.*disconnect from' && return
    sleep 0.1
  done
}

for t in "$CASES"/${ONLY:-*}.txt; do
  name=$(basename "$t" .txt)
  in=$WORK/runs/$name.in
  input "$t" >"$in"
  mapfile -t opts < <(overrides "$t")
  pf_from=$(wc -l 2>/dev/null <"$PF_LOG" || echo 0)
  ours_from=$(wc -l 2>/dev/null <"$OURS_LOG" || echo 0)
  touch "$WORK/stamp"
  sleep 0.01
  wait=$(hold "$t")
  feed "$in" "$wait" runuser -u postfix -- env MAIL_CONFIG="$CONF" timeout 30 "$PF_SMTPD" -S "${opts[@]}" 2>&1 |
    mask >"$WORK/runs/$name.pf"
  new_messages "$WORK/stamp" >"$WORK/runs/$name.pf.queue"
  touch "$WORK/stamp"
  sleep 0.01
  feed "$in" "$wait" runuser -u postfix -- env MAIL_CONFIG="$CONF" timeout 30 "$OURS_SMTPD" -S \
    -o "maillog_file=$OURS_LOG" "${opts[@]}" 2>&1 | mask >"$WORK/runs/$name.ours"
  new_messages "$WORK/stamp" >"$WORK/runs/$name.ours.queue"
  same_files "$name: replies" "$WORK/runs/$name.pf" "$WORK/runs/$name.ours"
  if [ -s "$WORK/runs/$name.pf.queue" ] || [ -s "$WORK/runs/$name.ours.queue" ]; then
    same_files "$name: queue files" "$WORK/runs/$name.pf.queue" "$WORK/runs/$name.ours.queue"
  fi
  wait_log "$PF_LOG" "$pf_from"
  smtpd_lines "$PF_LOG" "$pf_from" >"$WORK/runs/$name.pf.log"
  smtpd_lines "$OURS_LOG" "$ours_from" >"$WORK/runs/$name.ours.log"
  same_files "$name: log" "$WORK/runs/$name.pf.log" "$WORK/runs/$name.ours.log"
done
finish
