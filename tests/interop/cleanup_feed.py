#!/usr/bin/env python3
"""Feeds one message to a cleanup service over Postfix's cleanup protocol and prints
cleanup's answer: the queue id, then "status REASON". The message comes as a case file
of records, one per line: "FLAGS N" first, then "T DATA" (a record type letter, one
space, the data; \\t and \\xNN escapes; "L*N DATA" repeats DATA N times, "N+K DATA"
sends the record K times).

Usage: cleanup_feed.py CASE --socket PATH       (Postfix's cleanup: public/cleanup)
       cleanup_feed.py CASE --exec PROGRAM ARGS  (ours, stand-alone on a socket pair)
"""
import socket
import subprocess
import sys


def enc_len(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def record(t, data):
    return bytes([ord(t)]) + enc_len(len(data)) + data


def unescape(s):
    return s.encode("utf-8").decode("unicode_escape").encode("latin-1")


def read_case(path):
    flags = 0
    out = b""
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            if line.startswith("FLAGS "):
                flags = int(line.split()[1])
                continue
            head, _, data = line.partition(" ")
            t = head[0]
            payload = unescape(data)
            if "*" in head:
                payload = payload * int(head.split("*")[1].split("+")[0])
            count = int(head.split("+")[1]) if "+" in head else 1
            out += record(t, payload) * count
    return flags, out


def read_group(sock):
    buf = b""
    attrs = []
    while True:
        chunk = sock.recv(1)
        if not chunk:
            raise EOFError("unexpected EOF")
        buf += chunk
        if chunk == b"\0":
            if buf == b"\0":
                return attrs
            attrs.append(buf[:-1].decode("latin-1"))
            buf = b""


def main():
    case = sys.argv[1]
    flags, body = read_case(case)
    proc = None
    if sys.argv[2] == "--socket":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(sys.argv[3])
    else:
        s, theirs = socket.socketpair()
        proc = subprocess.Popen(sys.argv[3:], stdin=theirs, stdout=theirs)
        theirs.close()
    hello = read_group(s)
    if hello[0:2] != ["protocol", "cleanup_protocol"] or hello[2] != "queue_id":
        print("bad hello", hello)
        return 1
    print(hello[3])
    s.sendall(b"flags\0" + str(flags).encode() + b"\0\0" + body)
    s.shutdown(socket.SHUT_WR)
    try:
        reply = read_group(s)
        d = dict(zip(reply[0::2], reply[1::2]))
        print(d.get("status"), d.get("reason"))
    except EOFError:
        print("EOF")
    s.close()
    if proc:
        proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
