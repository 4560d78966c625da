#!/usr/bin/env python3
"""Speaks scache(8)'s protocol to a running scache through its socket and prints what
the server answers, one line per reply group, so that two servers (Postfix's and
Postline's) can be compared line by line. It saves a descriptor (one end of a socket
pair), finds it again by endpoint and by destination, checks that the descriptor it got
back is the one it saved (a byte written through it arrives at the other end), and
makes the bad requests a client could make.

Usage: scache_probe.py SOCKET_PATH
"""
import socket
import sys


def group(pairs):
    out = b""
    for name, value in pairs:
        out += name.encode() + b"\0" + value.encode() + b"\0"
    return out + b"\0"


class Client:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(path)
        self.pending = b""

    def read_group(self):
        """One attribute group, as "name=value name=value"."""
        items, current = [], []
        while True:
            while b"\0" not in self.pending:
                chunk = self.sock.recv(4096)
                if not chunk:
                    return "EOF"
                self.pending += chunk
            field, self.pending = self.pending.split(b"\0", 1)
            if not current and field == b"":
                return " ".join("%s=%s" % (n, v) for n, v in items)
            current.append(field.decode("utf-8", "replace"))
            if len(current) == 2:
                items.append(tuple(current))
                current = []

    def send(self, pairs):
        self.sock.sendall(group(pairs))

    def send_fd(self, fd):
        socket.send_fds(self.sock, [b"\0"], [fd])

    def recv_fd(self):
        data, fds, _, _ = socket.recv_fds(self.sock, 1, 1)
        return fds[0] if fds else -1


def check_descriptor(fd, peer, tag):
    """A byte written through the returned descriptor must reach the saved pair's peer."""
    if fd < 0:
        return "%s: no descriptor" % tag
    with socket.socket(fileno=fd) as s:
        s.sendall(tag.encode())
    peer.settimeout(5)
    got = peer.recv(100)
    return "%s: descriptor %s" % (tag, "works" if got == tag.encode() else "is another one")


def main():
    path = sys.argv[1]
    c = Client(path)
    out = ["hello: " + c.read_group()]

    c.send([("request", "find_endp"), ("label", "smtp\nnothere\n25\n0\n0\n")])
    out.append("find_endp miss: " + c.read_group())

    def save_endp(label, prop, ttl="2"):
        mine, peer = socket.socketpair()
        c.send([("request", "save_endp"), ("ttl", ttl), ("label", label), ("property", prop)])
        line = "save_endp: " + c.read_group()
        if line.endswith("dummy="):
            c.send_fd(mine.fileno())
            line += " / " + c.read_group()
        mine.close()
        out.append(line)
        return peer

    label = "smtp\n192.0.2.1\n25\n0\n0\n"
    prop = "tls_level=0\nreuse_count=0\nendpoint_features=7\nexpire_time=4102444800\n\n"
    peer = save_endp(label, prop)
    c.send([("request", "find_endp"), ("label", label)])
    reply = c.read_group()
    out.append("find_endp hit: " + reply.replace("\n", "\\n"))
    if reply.startswith("status=0"):
        c.send([("dummy", "")])
        fd = c.recv_fd()
        c.send([("dummy", "")])
        out.append(check_descriptor(fd, peer, "by endpoint"))
    c.send([("request", "find_endp"), ("label", label)])
    out.append("find_endp again: " + c.read_group())

    dest = "smtp\n[192.0.2.1]:25\n0\n0\n"
    dprop = "destination=[192.0.2.1]:25\nhost_name=192.0.2.1\nhost_addr=192.0.2.1\nhost_port=6400\ndestination_features=4096\n\n"
    peer = save_endp(label, prop)
    c.send([("request", "save_dest"), ("ttl", "2"), ("label", dest), ("property", dprop), ("label", label)])
    out.append("save_dest: " + c.read_group())
    c.send([("request", "find_dest"), ("label", dest)])
    reply = c.read_group()
    out.append("find_dest hit: " + reply.replace("\n", "\\n"))
    if reply.startswith("status=0"):
        c.send([("dummy", "")])
        fd = c.recv_fd()
        c.send([("dummy", "")])
        out.append(check_descriptor(fd, peer, "by destination"))
    # The binding stays; its endpoint has no connection left.
    c.send([("request", "find_dest"), ("label", dest)])
    out.append("find_dest again: " + c.read_group())

    c.send([("request", "save_endp"), ("ttl", "0"), ("label", label), ("property", prop)])
    out.append("save_endp ttl 0: " + c.read_group())
    c.send([("request", "save_dest"), ("label", dest)])
    out.append("save_dest incomplete: " + c.read_group())
    c.send([("request", "flush_all")])
    out.append("unknown request: " + c.read_group())
    # Still serving after all that.
    c.send([("request", "find_endp"), ("label", label)])
    out.append("find_endp after: " + c.read_group())
    print("\n".join(out))


if __name__ == "__main__":
    main()
