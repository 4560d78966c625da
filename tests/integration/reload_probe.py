#!/usr/bin/env python3
"""One round of the hot-reload test: session A (greeting, EHLO, MAIL, RCPT TO the
alias, which makes smtpd open its cleanup connection) is opened on 127.0.0.1:PORT, then
COMMAND runs (a compile, a reload), then A goes on (RCPT TO the probed address, DATA)
while a new session B does the same from its greeting on. Prints what each session got, one line per item:

  A banner: 220 ...        B banner: 220 ...
  A probe: 554 ...         B probe: 250 ...      (the reply to RCPT TO:<PROBE>)
  A queued: QUEUE_ID       B queued: QUEUE_ID    (or "A failed: REPLY")

Usage: reload_probe.py PORT PROBE_ADDRESS ALIAS_ADDRESS -- COMMAND...
Exit status 1 when COMMAND failed or a session broke.
"""
import socket
import subprocess
import sys

CRLF = b"\r\n"


class Session:
    def __init__(self, name, port):
        self.name = name
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""

    def reply(self):
        while True:
            while b"\n" not in self.buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("%s: connection closed" % self.name)
                self.buf += chunk
            line, self.buf = self.buf.split(b"\n", 1)
            line = line.rstrip(b"\r").decode(errors="replace")
            if len(line) < 4 or line[3] != "-":
                return line

    def command(self, text):
        self.sock.sendall(text.encode() + CRLF)
        return self.reply()

    def show(self, what, text):
        print("%s %s: %s" % (self.name, what, text), flush=True)


def start(name, port, alias):
    s = Session(name, port)
    s.show("banner", s.reply())
    for cmd in ("EHLO probe.example", "MAIL FROM:<probe@example.org>", "RCPT TO:<%s>" % alias):
        r = s.command(cmd)
        if not r.startswith("250"):
            raise ConnectionError("%s: %s: %s" % (name, cmd, r))
    return s


def finish(s, probe):
    s.show("probe", s.command("RCPT TO:<%s>" % probe))
    r = s.command("DATA")
    if not r.startswith("354"):
        s.show("failed", "DATA: " + r)
        return
    s.sock.sendall(b"Subject: reload probe " + s.name.encode() + CRLF + CRLF + b"probe" + CRLF + b"." + CRLF)
    r = s.reply()
    if r.startswith("250 2.0.0 Ok: queued as "):
        s.show("queued", r.rsplit(" ", 1)[1])
    else:
        s.show("failed", "end of data: " + r)
    s.command("QUIT")
    s.sock.close()


def main():
    port, probe, alias = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    command = sys.argv[sys.argv.index("--") + 1:]
    a = start("A", port, alias)
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        sys.stderr.write("%s failed (exit %d):\n%s" % (" ".join(command), done.returncode, done.stdout.decode()))
        sys.exit(1)
    finish(a, probe)
    b = start("B", port, alias)
    finish(b, probe)


if __name__ == "__main__":
    try:
        main()
    except (OSError, ConnectionError) as e:
        sys.stderr.write("reload_probe: %s\n" % e)
        sys.exit(1)
