#!/usr/bin/env python3
# The messages of tests/integration/dsn_success.sh and what it compares: DSN success
# notifications (NOTIFY=SUCCESS) as Postfix 3.7's trace service sends them. `send
# PORT:ROOT...` sends each message to every instance and waits until their queues are
# empty; `report ROOT` prints the structure of every report in the sender's mailbox (the
# MIME tree, the delivery-status fields, the text) with queue ids, dates and the scratch
# directory masked, using the delivery test's normaliser (delivery.py).
import os
import smtplib
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import delivery  # noqa: E402

DOMAIN = "dsn.example"
# (sender, MAIL options, [(recipient, RCPT options)], subject)
MESSAGES = [
    # A mailbox delivery with ORCPT, an alias expansion, and a recipient that did not ask.
    ("sys@" + DOMAIN, ["ENVID=env-1", "RET=FULL"],
     [("nobody@" + DOMAIN, ["NOTIFY=SUCCESS", "ORCPT=rfc822;Nobody@" + DOMAIN]),
      ("staff@" + DOMAIN, ["NOTIFY=SUCCESS,FAILURE"]),
      ("bin@" + DOMAIN, ["NOTIFY=FAILURE"])],
     "success for two of three"),
    # The null sender asks in vain: no report for a bounce (notify_classes has no 2bounce).
    ("", [], [("bin@" + DOMAIN, ["NOTIFY=SUCCESS"])], "from the null sender"),
    # No recipient asks: no report.
    ("sys@" + DOMAIN, [], [("bin@" + DOMAIN, [])], "nobody asks"),
]


def send(targets):
    instances = [(int(t.split(":", 1)[0]), t.split(":", 1)[1]) for t in targets]
    ok = True
    for n, (sender, mopts, rcpts, subject) in enumerate(MESSAGES, 1):
        data = (f"From: <{sender}>\r\nTo: <{rcpts[0][0]}>\r\nSubject: {subject}\r\n"
                f"Message-ID: <dsn{n}@client.example>\r\n\r\nmessage {n}\r\n")
        for port, root in instances:
            try:
                with smtplib.SMTP("127.0.0.1", port, local_hostname="client.example", timeout=30) as s:
                    s.ehlo("client.example")
                    s.mail(sender, mopts)
                    for r, ropts in rcpts:
                        code, reply = s.rcpt(r, ropts)
                        if code != 250:
                            print(f"{root}: message {n}: RCPT {r}: {code} {reply!r}", file=sys.stderr)
                            ok = False
                    s.data(data)
            except (smtplib.SMTPException, OSError) as e:
                print(f"{root}: message {n}: {e!r}", file=sys.stderr)
                ok = False
        if not delivery.wait_empty([root for _, root in instances], 30.0):
            ok = False
    return 0 if ok else 1


def report(root, user):
    masker = delivery.Masker(root)
    path = os.path.join(root, "spool", user)
    if not os.path.exists(path):
        print(f"(no mailbox {user})")
        return 0
    with open(path, "rb") as f:
        for m in delivery.split_mbox(f.read()):
            if delivery.is_report(m):
                sys.stdout.write(delivery.ndr_structure(masker, m))
                print("--")
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "send":
        sys.exit(send(sys.argv[2:]))
    sys.exit(report(sys.argv[2], sys.argv[3]))
