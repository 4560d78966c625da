#!/usr/bin/env python3
"""SMTP dialogues for the receive tests: each dialogue is sent, chunk by chunk, to a
server on 127.0.0.1 and written out as a transcript ("C:" lines sent, "S:" lines
received, "S: <closed>" when the server hangs up). Run against Postfix and against
Postline, the two transcripts must be the same once queue ids are masked.
Every message a dialogue queues goes to a recipient named after the dialogue, so that
the queue files can be paired afterwards.
Usage: smtp_dialogues.py PORT [NAME...]   (no NAME: every dialogue)
"""
import re
import socket
import sys
import time

CRLF = b"\r\n"


def cmd(*lines):
    """Commands sent in one write (one line: no pipelining)."""
    return b"".join(line.encode("latin-1") + CRLF for line in lines)


def message(case, extra_headers=b"", body=b"Hello.\r\n"):
    return (b"Subject: " + case.encode() + CRLF + extra_headers + CRLF + body + b".\r\n")


def basic_session(case, helo="EHLO client.example", mail="MAIL FROM:<sender@example.org>", rcpts=None,
                  content=None):
    rcpts = rcpts or ["RCPT TO:<%s@example.org>" % case]
    steps = [cmd(helo), cmd(mail)] + [cmd(r) for r in rcpts] + [cmd("DATA")]
    steps.append(content if content is not None else message(case))
    steps.append(cmd("QUIT"))
    return steps


LONG = b"x" * 5000
DIALOGUES = {
    "basic": basic_session("basic"),
    "helo": basic_session("helo", helo="HELO client.example", content=b"no header here\r\nsecond\r\n.\r\n"),
    "sequence": [cmd("EHLO client.example"), cmd("RCPT TO:<sequence@example.org>"), cmd("DATA"),
                 cmd("MAIL FROM:<sender@example.org>"), cmd("MAIL FROM:<other@example.org>"), cmd("DATA"),
                 cmd("RSET"), cmd("NOOP"), cmd("NOOP extra words"), cmd("RSET now"), cmd("QUIT")],
    "syntax": [cmd("EHLO client.example"), cmd("MAIL FROM:<sender@example.org"), cmd("MAIL TO:<x@example.org>"),
               cmd("MAIL"), cmd("MAIL FROM:"), cmd("RCPT"), cmd("FOO bar"), cmd("HELP"), cmd("VRFY"),
               cmd("EHLO"), cmd("HELO"), cmd("ETRN"), cmd("MAIL FROM:<sender@example.org> BOGUS=1"),
               cmd("MAIL FROM:<sender@example.org> SIZE=abc"), cmd("MAIL FROM:<sender@example.org> BODY=7BIT"),
               cmd("RCPT TO:<syntax@example.org> NOTIFY=SOMETIMES"), cmd("RCPT TO:<a@b@example.org>"),
               cmd("RCPT TO:<syntax@example.org> FOO=bar"), cmd("QUIT")],
    "lowercase": [cmd("ehlo client.example"), cmd("mail from:<sender@example.org>"),
                  cmd("rcpt to:<lowercase@example.org>"), cmd("data"), message("lowercase"), cmd("quit")],
    "rejects": [cmd("EHLO client.example"), cmd("MAIL FROM:<sender@example.org>"),
                cmd("RCPT TO:<reject@example.org>"), cmd("RCPT TO:<defer@example.org>"),
                cmd("RCPT TO:<rejects@example.org>"), cmd("RCPT TO:<rejects@example.org>"), cmd("DATA"),
                message("rejects"), cmd("QUIT")],
    "all rejected": [cmd("EHLO client.example"), cmd("MAIL FROM:<sender@example.org>"),
                     cmd("RCPT TO:<reject@example.org>"), cmd("DATA"), cmd("QUIT")],
    "pipelining": [cmd("EHLO client.example"),
                   cmd("MAIL FROM:<sender@example.org>", "RCPT TO:<pipelining@example.org>",
                       "RCPT TO:<reject@example.org>", "DATA"),
                   message("pipelining"), cmd("QUIT")],
    "pipelined quit": [cmd("EHLO client.example"),
                       cmd("MAIL FROM:<sender@example.org>", "RCPT TO:<pipelined-quit@example.org>", "DATA"),
                       message("pipelined quit") + cmd("QUIT")],
    "size": [cmd("EHLO client.example"), cmd("MAIL FROM:<sender@example.org> SIZE=200000"),
             cmd("MAIL FROM:<sender@example.org> SIZE=100"), cmd("RCPT TO:<size@example.org>"), cmd("DATA"),
             b"Subject: size\r\n\r\n" + b"".join(b"line %06d of a message that is too big\r\n" % i
                                               for i in range(4000)) + b".\r\n",
             cmd("QUIT")],
    "dsn": basic_session("dsn", mail="MAIL FROM:<sender@example.org> RET=HDRS ENVID=env-id-42",
                         rcpts=["RCPT TO:<dsn@example.org> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;orig@example.com",
                                "RCPT TO:<dsn2@example.org> NOTIFY=NEVER"]),
    "null sender": basic_session("null-sender", mail="MAIL FROM:<>"),
    "8bit": basic_session("8bit", mail="MAIL FROM:<sender@example.org> BODY=8BITMIME",
                          content=b"Subject: 8bit\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n"
                          b"caf\xe9 cr\xe8me\r\n.\r\n"),
    "smtputf8": basic_session("smtputf8", mail="MAIL FROM:<sender@example.org> SMTPUTF8",
                              rcpts=["RCPT TO:<smtputf8@example.org>"],
                              content="Subject: gr\u00fc\u00dfe\r\nFrom: j\u00fcrgen@example.org\r\n\r\n"
                              "\u00e7a va\r\n.\r\n".encode()),
    "long lines": basic_session("long-lines", content=b"Subject: long lines\r\nX-Long: " + LONG + b"\r\n\r\n"
                                + LONG + b"\r\n" + b"y" * 2048 + b"\r\nend\r\n.\r\n"),
    "dot stuffing": basic_session("dot-stuffing", content=b"Subject: dots\r\n\r\n..leading dot\r\n.\r\n"),
    "headers": basic_session("headers", content=b"From: Someone <someone@example.org>\r\n"
                             b"To: a@example.org,\r\n b@example.org\r\nReturn-Path: <bogus@example.org>\r\n"
                             b"Bcc: hidden@example.org\r\nMessage-ID: <given@example.org>\r\n"
                             b"Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\nbody\r\n.\r\n"),
    "bare newlines": basic_session("bare-newlines",
                                   content=b"Subject: bare\r\n\r\nline one\nline two\r\n.\nnot the end\r\n.\r\n"),
    "bdat": [cmd("EHLO client.example"), cmd("MAIL FROM:<sender@example.org>"), cmd("RCPT TO:<bdat@example.org>"),
             b"BDAT 12\r\nSubject: bd\r\n", b"BDAT 10 LAST\r\nat\r\n\r\nbody\r\n", cmd("QUIT")],
    "two messages": [cmd("EHLO client.example"), cmd("MAIL FROM:<sender@example.org>"),
                     cmd("RCPT TO:<two-messages@example.org>"), cmd("DATA"), message("first"),
                     cmd("MAIL FROM:<sender@example.org>"), cmd("RCPT TO:<two-messages-2@example.org>"),
                     cmd("DATA"), message("second"), cmd("QUIT")],
    "too many recipients": [cmd("EHLO client.example"), cmd("MAIL FROM:<sender@example.org>")]
    + [cmd("RCPT TO:<too-many-%d@example.org>" % i) for i in range(7)] + [cmd("RSET"), cmd("QUIT")],
    "lost in data": [cmd("EHLO client.example"), cmd("MAIL FROM:<sender@example.org>"),
                     cmd("RCPT TO:<lost@example.org>"), cmd("DATA"), b"Subject: lost\r\n\r\npartial"],
    "no quit": [cmd("EHLO client.example"), cmd("NOOP")],
}

REPLY_END = re.compile(rb"(?:^|\n)\d{3} [^\n]*\n$")


def read_replies(sock, transcript):
    """Reads until the server is quiet after a complete reply, or hangs up."""
    data = b""
    deadline = time.time() + 10
    sock.settimeout(10)
    while time.time() < deadline:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            for line in data.split(b"\n"):
                if line:
                    transcript.append(b"S: " + line.rstrip(b"\r"))
            transcript.append(b"S: <closed>")
            return False
        data += chunk
        if REPLY_END.search(data):
            sock.settimeout(0.2)  # more replies of a pipelined group may follow
    for line in data.split(b"\n"):
        if line:
            transcript.append(b"S: " + line.rstrip(b"\r"))
    return True


def run(port, name, steps):
    transcript = [b"== " + name.encode()]
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        if not read_replies(sock, transcript):
            return transcript
        for chunk in steps:
            lines = chunk.split(b"\n")
            if lines and not lines[-1]:
                lines.pop()
            shown = lines if len(lines) <= 30 else lines[:10]
            for line in shown:
                transcript.append(b"C: " + line.rstrip(b"\r")[:200])
            if len(shown) < len(lines):
                transcript.append(b"C: ... (%d lines in all)" % len(lines))
            sock.sendall(chunk)
            if not read_replies(sock, transcript):
                return transcript
    finally:
        sock.close()
    return transcript


def main():
    port = int(sys.argv[1])
    names = sys.argv[2:] or list(DIALOGUES)
    out = sys.stdout.buffer
    for name in names:
        for line in run(port, name, DIALOGUES[name]):
            # Queue ids differ from server to server.
            line = re.sub(rb"queued as [0-9A-Za-z]+", b"queued as QUEUEID", line)
            out.write(line + b"\n")
    out.flush()


if __name__ == "__main__":
    main()
