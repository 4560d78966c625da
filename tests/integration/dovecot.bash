# A private Dovecot (Debian's dovecot-imapd and dovecot-pop3d) for the integration tests:
# its configuration, state, indexes and log under one scratch directory, IMAP and POP3 on
# 127.0.0.1 only, no SSL, run by the same ordinary user as the Postline instance (nobody
# when the test runs as root), so that it reads the mailboxes Postline delivered as their
# owner. Users come from a passwd-file: each with its own mail location (an mbox INBOX in
# the mail spool, or a Maildir). Stopped by the pid in its pid file, never by name.
# Sourced after tests/integration/postline_instance.bash (for as_pl_user and PL_USER).
# shellcheck shell=bash

DV_IMAP_PORT=${DV_IMAP_PORT:-10752}
DV_POP3_PORT=${DV_POP3_PORT:-10753}
# DV_DIR: the scratch directory of the running Dovecot, if any.
DV_DIR=
# The password every test user has.
DV_PASSWORD=secret

# dv_user FILE USER MAIL_LOCATION: adds USER to the passwd-file FILE, reading its mail
# from MAIL_LOCATION (mbox:DIR:INBOX=FILE or maildir:DIR).
dv_user() {
  printf '%s:{PLAIN}%s::::::userdb_mail=%s\n' "$2" "$DV_PASSWORD" "$3" >>"$1"
}

# dv_start DIR PASSWD_FILE: writes DIR/dovecot.conf and starts Dovecot with it as
# PL_USER; waits until its IMAP and POP3 ports accept connections.
dv_start() {
  local dir=$1 passwd=$2 group
  group=$(id -gn "$PL_USER")
  mkdir -p "$dir/run" "$dir/state" "$dir/home"
  cat >"$dir/dovecot.conf" <<CONF
# A private Dovecot for the tests: loopback only, no SSL, one unprivileged user.
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = $PL_USER
default_internal_group = $group
default_login_user = $PL_USER
first_valid_uid = 0
mail_uid = $PL_USER
mail_gid = $group
mail_home = $dir/home/%u
mbox_write_locks = fcntl
mbox_read_locks = fcntl
pop3_uidl_format = %08Xu%08Xv
passdb {
  driver = passwd-file
  args = scheme=PLAIN $passwd
}
userdb {
  driver = passwd-file
  args = $passwd
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $DV_IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  chroot =
  inet_listener pop3 {
    address = 127.0.0.1
    port = $DV_POP3_PORT
  }
  inet_listener pop3s {
    port = 0
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
  chown -R "$PL_USER" "$dir"
  if ! as_pl_user /usr/sbin/dovecot -c "$dir/dovecot.conf" >"$dir/start.log" 2>&1; then
    echo "dovecot did not start:" >&2
    cat "$dir/start.log" "$dir/dovecot.log" >&2 2>/dev/null
    return 1
  fi
  DV_DIR=$dir
  local port
  for port in "$DV_IMAP_PORT" "$DV_POP3_PORT"; do
    for _ in $(seq 1 300); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue 2; fi
      sleep 0.1
    done
    echo "dovecot: nothing listens on 127.0.0.1:$port after 30 s" >&2
    cat "$dir/dovecot.log" >&2 2>/dev/null
    return 1
  done
}

# dv_stop: stops the running Dovecot by the pid in its pid file and waits (10 s at most)
# until it has exited.
dv_stop() {
  [ -n "$DV_DIR" ] || return 0
  local pid tries=0
  pid=$(tr -d ' \n' <"$DV_DIR/run/master.pid" 2>/dev/null)
  DV_DIR=
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null && ((tries++ < 100)); do
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "dovecot $pid did not stop; killing it" >&2
    kill -9 "$pid" 2>/dev/null || true
  fi
}
