#!/usr/bin/env python3
"""Load generator for tests/bench/cleanup_checks: feeds N copies of one message to a
cleanup service over Postfix's cleanup protocol (as tests/interop/cleanup_feed.py does
for one message: hello, flags, records, status), from C clients at once, one message
per connection as smtpd and pickup do. Every answer must be status 0, or the run
counts as failed. Prints the wall time in seconds.

Usage: cleanup_load.py --socket PATH --messages N [--clients C] [--size BYTES]
                       [--seed S] [--print-message]
"""
import argparse
import random
import socket
import sys
import threading
import time
from pathlib import Path

# The record encoder of the cleanup differential test: one copy of rec_put().
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "interop"))
from cleanup_feed import record  # noqa: E402

# CLEANUP_FLAG_FILTER | BCC_OK | MAP_OK | MILTER: what smtpd asks for.
FLAGS = 114

WORDS = (
    "the meeting notes for next week are attached please review the draft and send "
    "comments before friday we will discuss the budget the schedule and the open "
    "questions about the release of version three of the report as agreed on monday "
    "thanks again for your help with the customer order and the invoice numbers"
).split()


def message_lines(size, seed):
    """An ordinary business message of about SIZE bytes: the headers smtpd and a
    client write, then plain text lines of 60-76 characters. No header_checks or
    body_checks rule of the benchmark matches any line of it."""
    rnd = random.Random(seed)
    headers = [
        "Received: from client.example.com (client.example.com [192.0.2.10])",
        "\tby mx.example.org (Postfix) with ESMTP id 4ABCDEF;",
        "\tTue, 14 Nov 2023 22:13:20 +0000 (UTC)",
        "Received: from [10.1.2.3] by client.example.com; Tue, 14 Nov 2023 22:13:19 +0000",
        "Date: Tue, 14 Nov 2023 22:13:18 +0000",
        "From: Alice Example <alice@client.example.com>",
        "To: Bob Example <bob@example.org>",
        "Cc: Carol Example <carol@example.org>",
        "Subject: Re: meeting notes for the weekly update",
        "Message-ID: <20231114221318.12345@client.example.com>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=us-ascii",
        "Content-Transfer-Encoding: 7bit",
        "User-Agent: Example Mail 1.2",
        "",
    ]
    lines = list(headers)
    total = sum(len(x) + 1 for x in lines)
    while total < size:
        want = rnd.randint(60, 76)
        line = ""
        while len(line) < want:
            line += (" " if line else "") + rnd.choice(WORDS)
        lines.append(line)
        total += len(line) + 1
    return lines


def build(size, seed):
    recs = [record("T", b"1700000000 0"), record("A", b"rewrite_context=local"),
            record("S", b"alice@client.example.com"), record("R", b"bob@example.org"),
            record("M", b"")]
    for line in message_lines(size, seed):
        recs.append(record("N", line.encode()))
    recs += [record("X", b""), record("E", b"")]
    return b"flags\0" + str(FLAGS).encode() + b"\0\0" + b"".join(recs)


def read_group(sock, buf):
    """One attribute group; buf carries bytes read past it (a bytearray)."""
    while True:
        end = buf.find(b"\0\0")
        # A group ends at an empty name: a NUL right after the NUL of a value.
        if end >= 0:
            group = bytes(buf[:end])
            del buf[:end + 2]
            return group.split(b"\0")
        chunk = sock.recv(4096)
        if not chunk:
            raise EOFError("unexpected EOF")
        buf += chunk


def one(path, payload):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    buf = bytearray()
    hello = read_group(s, buf)
    if hello[0:2] != [b"protocol", b"cleanup_protocol"]:
        raise RuntimeError("bad hello %r" % hello)
    s.sendall(payload)
    reply = read_group(s, buf)
    s.close()
    d = dict(zip(reply[0::2], reply[1::2]))
    return d.get(b"status"), d.get(b"reason")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket")
    ap.add_argument("--messages", type=int, default=100)
    ap.add_argument("--clients", type=int, default=2)
    ap.add_argument("--size", type=int, default=5120)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--print-message", action="store_true")
    a = ap.parse_args()
    if a.print_message:
        sys.stdout.write("\n".join(message_lines(a.size, a.seed)) + "\n")
        return 0
    payload = build(a.size, a.seed)
    lock = threading.Lock()
    left = [a.messages]
    failures = []

    def worker():
        while True:
            with lock:
                if left[0] == 0 or failures:
                    return
                left[0] -= 1
            try:
                status, reason = one(a.socket, payload)
                if status != b"0":
                    raise RuntimeError("status %r %r" % (status, reason))
            except Exception as e:  # noqa: BLE001 - any failure ends the run
                with lock:
                    failures.append(str(e))
                return

    start = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(a.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    if failures:
        print("cleanup_load: %s" % failures[0], file=sys.stderr)
        return 1
    print("%.4f" % elapsed)
    return 0


sys.exit(main())
