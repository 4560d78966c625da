#!/usr/bin/env python3
"""The three messages the relay tests (postfix_relays.sh, postline_relays.sh) send over
SMTP to 127.0.0.1:PORT: a plain one with a line that starts with a dot, one with DSN
parameters (RET, ENVID, NOTIFY, ORCPT) and two recipients, an 8-bit one with a line
longer than 998 bytes. Exits non-zero when a command is refused.
Usage: relay_messages.py PORT"""
import smtplib
import sys

MESSAGES = [
    ("alice@example.org", ["one@relay-test.example"], [], [], b"Subject: relayed one\r\n\r\nfirst\r\n.dot\r\n"),
    ("alice@example.org", ["two@relay-test.example", "three@relay-test.example"], ["RET=HDRS", "ENVID=env-7"],
     ["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;orig@example.com"], b"Subject: relayed two\r\n\r\nsecond\r\n"),
    ("bob@example.org", ["four@relay-test.example"], ["BODY=8BITMIME"], [],
     b"Subject: relayed three\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\ncaf\xe9\r\n"
     + b"x" * 3000 + b"\r\n"),
]


def main():
    port = int(sys.argv[1])
    for sender, rcpts, mopts, ropts, content in MESSAGES:
        with smtplib.SMTP("127.0.0.1", port) as s:
            s.ehlo("client.example")
            s.mail(sender, mopts)
            for r in rcpts:
                code, text = s.rcpt(r, ropts)
                if code != 250:
                    sys.exit("RCPT %s: %d %s" % (r, code, text))
            code, text = s.data(content)
            if code != 250:
                sys.exit("DATA: %d %s" % (code, text))


if __name__ == "__main__":
    main()
