#!/usr/bin/env python3
"""SMTP load for the crash-safety and hot-reload tests: several concurrent sessions
against 127.0.0.1:PORT, each sending messages with a unique tag (in the Subject, the
Message-ID and the body), until a stop file appears or a time limit passes. A session
that breaks (connection refused or reset, a server that went away) is counted and
started again after a short pause. Every message's outcome is logged, one line each:

  QUEUED TAG QUEUE_ID     the server said "250 2.0.0 Ok: queued as QUEUE_ID"
  FAILED TAG REASON       anything else (a reply, a broken connection)
  REFUSED - REASON        a connection that could not be made (no message sent)

The content of a message is a function of its tag (message_bytes), so that a checker
can tell whether what was queued is what was sent. Sizes vary from a few hundred bytes
to about 150 KB, and bodies contain lines that need dot-stuffing.
Usage: smtp_load.py PORT LOG --sessions N [--stop-file F] [--seconds S] [--prefix P]
                    [--rcpt ADDR] [--pause SEC (after each message)]
                    [--trickle N (the first N sessions send their messages slowly)]
"""
import argparse
import os
import random
import re
import socket
import sys
import threading
import time

CRLF = b"\r\n"
QUEUED = re.compile(rb"^250 2\.0\.0 Ok: (?:\d+ bytes )?queued as ([0-9A-Za-z]+)\r?$")


def message_bytes(tag):
    """The message for TAG, LF line ends, not dot-stuffed: what the queue file must hold
    below the Received: header smtpd adds."""
    rng = random.Random(tag)
    size = rng.choice([300, 2000, 20000, 150000])
    lines = [
        "From: load@example.org",
        "To: sink@example.org",
        "Subject: load " + tag,
        "Message-ID: <" + tag + "@load.example>",
        "Date: Sun, 6 Dec 2026 12:00:00 +0000",
        "",
        "message " + tag,
        ".a line that starts with a dot",
    ]
    total = sum(len(x) + 1 for x in lines)
    n = 0
    while total < size:
        width = rng.randint(0, 120)
        line = "%s %d %s" % (tag, n, "x" * width)
        if rng.random() < 0.05:
            line = "." + line
        lines.append(line)
        total += len(line) + 1
        n += 1
    lines.append("end of " + tag)
    return ("\n".join(lines) + "\n").encode()


def wire(content):
    """CRLF line ends and dot-stuffing, then the end-of-data line."""
    out = []
    for line in content.split(b"\n")[:-1]:
        if line.startswith(b"."):
            line = b"." + line
        out.append(line + CRLF)
    out.append(b"." + CRLF)
    return b"".join(out)


class Log:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1)
        self.lock = threading.Lock()

    def write(self, *fields):
        with self.lock:
            self.f.write(" ".join(str(x) for x in fields) + "\n")


class Session:
    """One SMTP connection with line-oriented replies."""

    def __init__(self, port, timeout):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def reply(self):
        """The last line of a (possibly multi-line) reply, without the line end."""
        while True:
            while b"\n" not in self.buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("connection closed by the server")
                self.buf += chunk
            line, self.buf = self.buf.split(b"\n", 1)
            line = line.rstrip(b"\r")
            if len(line) < 4 or line[3:4] != b"-":
                return line

    def command(self, text):
        self.sock.sendall(text.encode() + CRLF)
        return self.reply()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def worker(args, index, log, stop, counters):
    seq = 0
    while not stop():
        try:
            s = Session(args.port, args.timeout)
        except OSError as e:
            log.write("REFUSED", "-", type(e).__name__ + ":" + str(e).replace(" ", "_"))
            counters["refused"] += 1
            time.sleep(0.05)
            continue
        try:
            banner = s.reply()
            if not banner.startswith(b"220"):
                raise ConnectionError("banner " + banner.decode(errors="replace"))
            r = s.command("EHLO load.example")
            if not r.startswith(b"250"):
                raise ConnectionError("EHLO " + r.decode(errors="replace"))
            for _ in range(random.randint(1, 4)):
                if stop():
                    break
                tag = "%s%02d%05d" % (args.prefix, index, seq)
                seq += 1
                try:
                    r = s.command("MAIL FROM:<load@example.org>")
                    if not r.startswith(b"250"):
                        log.write("FAILED", tag, "MAIL:" + r.decode(errors="replace").replace(" ", "_"))
                        break
                    r = s.command("RCPT TO:<%s>" % args.rcpt)
                    if not r.startswith(b"250"):
                        log.write("FAILED", tag, "RCPT:" + r.decode(errors="replace").replace(" ", "_"))
                        s.command("RSET")
                        continue
                    r = s.command("DATA")
                    if not r.startswith(b"354"):
                        log.write("FAILED", tag, "DATA:" + r.decode(errors="replace").replace(" ", "_"))
                        break
                    data = wire(message_bytes(tag))
                    if index < args.trickle:
                        # In ten pieces, 40 ms apart: a cleanup process is busy with
                        # this message for 0.4 s.
                        step = len(data) // 10 + 1
                        for at in range(0, len(data), step):
                            s.sock.sendall(data[at:at + step])
                            time.sleep(0.04)
                    else:
                        s.sock.sendall(data)
                    r = s.reply()
                except (OSError, ConnectionError) as e:
                    log.write("FAILED", tag, type(e).__name__ + ":" + str(e).replace(" ", "_"))
                    raise
                m = QUEUED.match(r)
                if m:
                    log.write("QUEUED", tag, m.group(1).decode())
                    counters["queued"] += 1
                else:
                    log.write("FAILED", tag, "END:" + r.decode(errors="replace").replace(" ", "_"))
                    counters["failed"] += 1
                if args.pause:
                    time.sleep(args.pause)
            s.command("QUIT")
        except (OSError, ConnectionError):
            counters["broken"] += 1
            time.sleep(0.02)
        finally:
            s.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("log")
    p.add_argument("--sessions", type=int, default=4)
    p.add_argument("--stop-file")
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--prefix", default="m")
    p.add_argument("--rcpt", default="sink@example.org")
    p.add_argument("--timeout", type=float, default=20)
    p.add_argument("--pause", type=float, default=0)
    p.add_argument("--trickle", type=int, default=0)
    args = p.parse_args()
    log = Log(args.log)
    deadline = time.time() + args.seconds
    counters = {"queued": 0, "failed": 0, "broken": 0, "refused": 0}

    def stop():
        return time.time() > deadline or (args.stop_file and os.path.exists(args.stop_file))

    threads = [threading.Thread(target=worker, args=(args, i, log, stop, counters), daemon=True)
               for i in range(args.sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(args.seconds + args.timeout + 10)
    print("load: %(queued)d queued, %(failed)d refused replies, %(broken)d broken sessions, "
          "%(refused)d refused connections" % counters)


if __name__ == "__main__":
    main()
