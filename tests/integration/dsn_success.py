#!/usr/bin/env python3
# The messages of tests/integration/dsn_success.sh and what it compares: DSN success
# notifications (NOTIFY=SUCCESS) as Postfix 3.7's trace service sends them. `send
# PORT:ROOT...` sends each message to every instance and waits until their queues are
# empty; `wait ROOT...` waits for that only; `report ROOT USER` prints the structure of
# every report in USER's mailbox (the
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


def canonical(structure):
    """A report's structure with its recipients in a fixed order: Postfix's agents
    record them in the order their deliveries end, which concurrency decides. The text
    part's recipient paragraphs and the delivery-status blocks after the first are
    sorted; everything else stays in place."""
    lines = structure.splitlines()
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        if line.strip().startswith("| <"):
            # Recipient paragraphs: "| <rcpt>: ..." with continuation lines, then "| ".
            prefix = line[:line.index("|")]
            paras, cur = [], []
            while i < len(lines) and lines[i].startswith(prefix + "|") and \
                    not lines[i].startswith(prefix + "  "):
                if lines[i].strip() == "|":
                    paras.append(cur)
                    cur = []
                else:
                    cur.append(lines[i])
                i += 1
            if cur:
                paras.append(cur)
            for p in sorted(paras):
                out.extend(p + [prefix + "| "])
            if out and out[-1] == prefix + "| " and (not paras or cur):
                out.pop()
            continue
        if line.strip() == "block 1":
            indent = line[:line.index("block")]
            blocks, cur = [], None
            while i < len(lines) and (lines[i].startswith(indent + "  ") or lines[i] == indent + lines[i].strip()
                                      and lines[i].strip().startswith("block ")):
                if lines[i].strip().startswith("block ") and lines[i].startswith(indent + "block"):
                    cur = []
                    blocks.append(cur)
                else:
                    cur.append(lines[i])
                i += 1
            for n, b in enumerate(sorted(blocks), 1):
                out.append(f"{indent}block {n}")
                out.extend(b)
            continue
        out.append(line)
        i += 1
    return "\n".join(out) + "\n"


def report(root, user):
    masker = delivery.Masker(root)
    path = os.path.join(root, "spool", user)
    if not os.path.exists(path):
        print(f"(no mailbox {user})")
        return 0
    with open(path, "rb") as f:
        for m in delivery.split_mbox(f.read()):
            if delivery.is_report(m):
                sys.stdout.write(canonical(delivery.ndr_structure(masker, m)))
                print("--")
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "send":
        sys.exit(send(sys.argv[2:]))
    if sys.argv[1] == "wait":
        sys.exit(0 if delivery.wait_empty(sys.argv[2:], 30.0) else 1)
    sys.exit(report(sys.argv[2], sys.argv[3]))
