#!/usr/bin/env python3
"""Submits the messages of the postcat differential test to a private Postfix
instance over SMTP on the loopback interface (tests/interop/postcat.sh sets it up):
several recipients, lines longer than line_length_limit, 8-bit and SMTPUTF8 content,
DSN parameters, an empty message, a large one, and one that is partly delivered.
Usage: postcat_mail.py PORT
"""
import smtplib
import sys

port = int(sys.argv[1])
long_line = b"x" * 5000
messages = [
    # (sender, recipients, mail options, rcpt options, content)
    ("hold@example.org", ["a@later.example", "b@later.example", "c@later.example"], [], [],
     b"Subject: three recipients\r\nFrom: hold@example.org\r\n\r\nHello.\r\n"),
    ("hold@example.org", ["long@later.example"], [], [],
     b"Subject: long lines\r\nX-Long: " + long_line + b"\r\n\r\n" + long_line + b"\r\n"
     + b"y" * 2048 + b"\r\n" + b"z" * 2049 + b"\r\nend\r\n"),
    ("hold@example.org", ["eight@later.example"], ["BODY=8BITMIME"], [],
     b"Subject: 8-bit\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
     b"Content-Transfer-Encoding: 8bit\r\n\r\ncaf\xe9 cr\xe8me br\xfbl\xe9e\r\n\x01\x7f\r\n"),
    ("hold@example.org", ["dsn1@later.example", "dsn2@later.example"],
     ["RET=HDRS", "ENVID=env-id-42"], ["NOTIFY=SUCCESS,DELAY", "ORCPT=rfc822;orig@example.com"],
     b"Subject: DSN\r\n\r\nDSN body.\r\n"),
    ("hold@example.org", ["empty@later.example"], [], [], b""),
    ("hold@example.org", ["utf8@later.example", "j\xc3\xbcrgen@later.example".encode().decode("utf-8")],
     ["SMTPUTF8", "BODY=8BITMIME"], [],
     "Subject: gr\u00fc\u00dfe\r\nFrom: j\u00fcrgen@example.org\r\n\r\n\u00e7a va\r\n".encode()),
    ("hold@example.org", ["big@later.example"], [], [],
     b"Subject: big\r\n\r\n" + b"".join(b"line %06d of a large message\r\n" % i for i in range(20000))),
    ("hold@example.org", ["ws@later.example"], [], [],
     b" starts with white space\r\n\r\nbody\r\n"),
    ("hold@example.org", ["nohdr@later.example"], [], [], b"no header here\r\nsecond\r\n"),
    # Not held: the discard recipient is delivered (a done record), the other deferred.
    ("partial@example.org", ["d1@done.example", "d2@later.example", "d3@done.example"], [], [],
     b"Subject: partly delivered\r\n\r\nbody\r\n"),
]

for sender, rcpts, mopts, ropts, content in messages:
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
print(len(messages))
