#!/usr/bin/python3
"""A private DNS server for the hermetic DNS tests (Debian's python3-dnslib).

Usage: dns_server.py ZONE PORTFILE
Listens on 127.0.0.1 (UDP and TCP) on a free port, writes the port to PORTFILE once
ready, and answers from ZONE until killed. ZONE lines: NAME TYPE DATA, e.g.
  example.test. MX 10 mail.example.test.
  mail.example.test. A 192.0.2.10
and failures, for one type or every type (*):
  NAME TYPE SERVFAIL | REFUSED | FORMERR  (that rcode)
  NAME TYPE DROP                          (no reply at all)
  NAME TYPE GARBAGE                       (an answer record that runs past the packet)
A name not in ZONE is NXDOMAIN; a known name without the type is NODATA. CNAMEs are
followed one level. Every query is appended to PORTFILE.log as "NAME TYPE".
"""
import os
import socket
import socketserver
import struct
import sys
import threading

from dnslib import QTYPE, RCODE, RR, DNSRecord

FAILURES = {"SERVFAIL": RCODE.SERVFAIL, "REFUSED": RCODE.REFUSED, "FORMERR": RCODE.FORMERR}


def norm(name):
    return str(name).lower().rstrip(".")


def load(path):
    records, failures, names = {}, {}, set()
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, rtype, data = line.split(None, 2)
            key = norm(name)
            names.add(key)
            if data in FAILURES or data in ("DROP", "GARBAGE"):
                failures[(key, rtype.upper())] = data
                continue
            for rr in RR.fromZone(f"{name} 300 IN {rtype} {data}"):
                records.setdefault(key, []).append(rr)
    return records, failures, names


class Answerer:
    def __init__(self, zone, log):
        self.records, self.failures, self.names = load(zone)
        self.log = log
        self.lock = threading.Lock()

    def answer(self, data):
        try:
            request = DNSRecord.parse(data)
        except Exception:
            return None
        q = request.q
        key, qtype = norm(q.qname), QTYPE[q.qtype]
        with self.lock, open(self.log, "a") as f:
            f.write(f"{key} {qtype}\n")
        failure = self.failures.get((key, qtype)) or self.failures.get((key, "*"))
        reply = request.reply()
        if failure == "DROP":
            return None
        if failure == "GARBAGE":
            packed = bytearray(reply.pack())
            packed[6:8] = struct.pack("!H", 1)  # one answer record ...
            packed += b"\xc0\x0c" + struct.pack("!HHIH", q.qtype, 1, 300, 200) + b"\x00\x01"  # ... cut short
            return bytes(packed)
        if failure:
            reply.header.rcode = FAILURES[failure]
            return reply.pack()
        if key not in self.names:
            reply.header.rcode = RCODE.NXDOMAIN
            return reply.pack()
        for rr in self.records.get(key, []):
            if rr.rtype == q.qtype:
                reply.add_answer(rr)
            elif rr.rtype == QTYPE.CNAME:
                reply.add_answer(rr)
                for target in self.records.get(norm(rr.rdata.label), []):
                    if target.rtype == q.qtype:
                        reply.add_answer(target)
        return reply.pack()


def main():
    zone, portfile = sys.argv[1], sys.argv[2]
    answerer = Answerer(zone, portfile + ".log")

    class Udp(socketserver.BaseRequestHandler):
        def handle(self):
            data, sock = self.request
            out = answerer.answer(data)
            if out is not None:
                sock.sendto(out, self.client_address)

    class Tcp(socketserver.BaseRequestHandler):
        def handle(self):
            conn = self.request
            while True:
                head = conn.recv(2)
                if len(head) < 2:
                    return
                (n,) = struct.unpack("!H", head)
                data = b""
                while len(data) < n:
                    chunk = conn.recv(n - len(data))
                    if not chunk:
                        return
                    data += chunk
                out = answerer.answer(data)
                if out is not None:
                    conn.sendall(struct.pack("!H", len(out)) + out)

    socketserver.ThreadingUDPServer.daemon_threads = True
    socketserver.ThreadingTCPServer.daemon_threads = True
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    for _ in range(20):
        udp = socketserver.ThreadingUDPServer(("127.0.0.1", 0), Udp)
        port = udp.server_address[1]
        try:
            tcp = socketserver.ThreadingTCPServer(("127.0.0.1", port), Tcp)
            break
        except OSError:
            udp.server_close()
    else:
        sys.exit("no free port for UDP and TCP")
    threading.Thread(target=tcp.serve_forever, daemon=True).start()
    with open(portfile + ".tmp", "w") as f:
        f.write(f"{port}\n")
    os.rename(portfile + ".tmp", portfile)
    udp.serve_forever()


if __name__ == "__main__":
    main()
