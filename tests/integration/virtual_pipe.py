#!/usr/bin/env python3
# The messages and the normalising of tests/integration/virtual_pipe.sh: mail for
# virtual mailbox domains (Maildir, mbox, a catch-all, an unknown user) and for pipe(8)
# transports (arguments, flags, several recipients in one command, a command that
# fails) into a private Postfix 3.7 and a private Postline instance, then what each
# wrote (the virtual_mailbox_base tree and the commands' output files) and its delivery
# log lines, with queue ids, times and the instance's directory masked.
# Commands:
#   send PORT:ROOT...       each message into every instance, one at a time, waiting until
#                           every queue is empty before the next
#   normalize ROOT OUTDIR   one text file per artifact in OUTDIR (the same names on both)
import os
import re
import smtplib
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from delivery import Masker, log_lines, wait_empty  # noqa: E402

DATE = "Mon, 07 Dec 2026 00:00:00 +0000"
BODY = "one line\r\nFrom the start of a line\r\n.leading dot\r\n\r\nlast line\r\n"

# (sender, recipients, subject[, extra header lines])
MESSAGES = [
    ("sender@client.example", ["maildir@vdom.example"], "virtual: a Maildir"),
    ("sender@client.example", ["mbox@vdom.example"], "virtual: an mbox"),
    ("sender@client.example", ["Maildir+Tag@VDom.Example"], "virtual: case and extension"),
    ("sender@client.example", ["anyone@catch.example"], "virtual: the @domain catch-all"),
    ("sender@client.example", ["nosuch@vdom.example"], "virtual: an unknown user"),
    ("sender@client.example", ["mbox@vdom.example", "maildir@vdom.example", "nosuch2@vdom.example"],
     "virtual: three recipients, one unknown"),
    ("sender@client.example", ["user+ext@pipe.example"], "pipe: one recipient with flags"),
    ("", ["other@pipe.example"], "pipe: the null sender"),
    ("sender@client.example", ["+only@pipe.example"], "pipe: a local part that is all extension"),
    ("sender@client.example", ["a@multi.example", "b@multi.example"], "pipe: two recipients in one command"),
    ("sender@client.example", ["x@fail.example"], "pipe: a command that exits 67"),
    ("sender@client.example", ["y@dsnfail.example"], "pipe: a command that prints a status and exits 1"),
    ("sender@client.example", ["loop@pipe.example"], "pipe: flag D finds a Delivered-To loop",
     "Delivered-To: LOOP@pipe.example\r\n"),
]


# Sent last: the commands fail temporarily, and the messages stay queued; the test waits
# for their "status=deferred" lines instead.
DEFERRED = [
    ("sender@client.example", ["t@tempfail.example"], "pipe: a command that exits 75"),
    ("sender@client.example", ["k@signal.example"], "pipe: a command killed by a signal"),
]


def message(n, subject, extra=""):
    head = (f"{extra}From: Sender <sender@client.example>\r\nTo: someone@vdom.example\r\n"
            f"Subject: {subject}\r\nDate: {DATE}\r\nMessage-ID: <{n}.vp@client.example>\r\n")
    return (head + "\r\n" + BODY).encode()


def wait_deferred(roots, rcpts, limit=30.0):
    """Until every log has a status=deferred line for each of RCPTS."""
    deadline = time.time() + limit
    while time.time() < deadline:
        if all(any(f"to=<{r}>" in line and "status=deferred" in line for line in log_lines(root))
               for root in roots for r in rcpts):
            return True
        time.sleep(0.2)
    print(f"no status=deferred for {' '.join(rcpts)} after {limit:.0f} s", file=sys.stderr)
    return False


def submit(instances, n, sender, rcpts, subject, extra):
    ok = True
    for port, root in instances:
        try:
            with smtplib.SMTP("127.0.0.1", port, local_hostname="client.example", timeout=30) as s:
                s.ehlo("client.example")
                s.mail(sender)
                for r in rcpts:
                    code, reply = s.rcpt(r)
                    if code != 250:
                        print(f"{root}: message {n}: RCPT {r}: {code} {reply!r}", file=sys.stderr)
                        ok = False
                s.data(message(n, subject, *extra))
        except (smtplib.SMTPException, OSError) as e:
            print(f"{root}: message {n} ({subject}): {e!r}", file=sys.stderr)
            ok = False
    return ok


def send(targets):
    instances = []
    for t in targets:
        port, root = t.split(":", 1)
        instances.append((int(port), root))
    roots = [root for _, root in instances]
    ok = True
    for n, (sender, rcpts, subject, *extra) in enumerate(MESSAGES, 1):
        ok = submit(instances, n, sender, rcpts, subject, extra) and ok
        if not wait_empty(roots, limit=30.0):
            ok = False
    for n, (sender, rcpts, subject) in enumerate(DEFERRED, len(MESSAGES) + 1):
        ok = submit(instances, n, sender, rcpts, subject, []) and ok
        ok = wait_deferred(roots, rcpts) and ok
    # maximal_queue_lifetime = 0: they are returned to the sender at once, and the
    # queues empty.
    ok = wait_empty(roots, limit=30.0) and ok
    return 0 if ok else 1


# "From sender  Mon Dec  7 01:02:03 2026" (mail_copy's From_ line).
FROM_LINE = re.compile(r"^(From \S+  )[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \d{4}$", re.M)


def normal_content(masker, data):
    text = data.decode("utf-8", errors="replace")
    # Received: headers (and their continuation lines) are the receiving side's.
    text = re.sub(r"^Received: .*\n(?:[ \t].*\n)*", "", text, flags=re.M)
    text = FROM_LINE.sub(r"\1DATE", text)
    return masker.text(text)


def normalize(root, outdir):
    masker = Masker(root)
    os.makedirs(outdir, exist_ok=True)
    names = []

    def put(name, text):
        names.append(name)
        with open(os.path.join(outdir, name), "w") as f:
            f.write(text)

    # The virtual mailbox tree: each mbox, each Maildir's messages in delivery order
    # (new/ names hold the time, the device and the inode, so they are numbered).
    base = os.path.join(root, "vmail")
    for dirpath, dirs, files in sorted(os.walk(base)):
        dirs.sort()
        rel = os.path.relpath(dirpath, base)
        if os.path.basename(dirpath) in ("tmp", "cur", "new"):
            entries = sorted(files, key=lambda f: (int(f.split(".")[0]), f))
            if os.path.basename(dirpath) != "new":
                put("vmail." + rel.replace("/", ".") + ".count", f"{len(entries)}\n")
                continue
            for i, f in enumerate(entries, 1):
                path = os.path.join(dirpath, f)
                st = os.stat(path)
                ok_name = re.fullmatch(r"\d+\.V[0-9a-f]+I[0-9a-f]+M\d+\.\S+", f) is not None
                put(f"vmail.{rel.replace('/', '.')}.{i}",
                    f"name-shape={ok_name} mode={oct(st.st_mode & 0o777)} owner={st.st_uid}:{st.st_gid}\n" +
                    normal_content(masker, open(path, "rb").read()))
            continue
        for f in sorted(files):
            if f.endswith(".lock"):
                continue
            path = os.path.join(dirpath, f)
            st = os.stat(path)
            put(f"vmail.{os.path.join(rel, f).replace('/', '.')}",
                f"mode={oct(st.st_mode & 0o777)} owner={st.st_uid}:{st.st_gid}\n" + normal_content(masker, open(path, "rb").read()))

    # What the commands wrote.
    out = os.path.join(root, "out")
    for f in sorted(os.listdir(out)) if os.path.isdir(out) else []:
        data = open(os.path.join(out, f), "rb").read()
        put("out." + f, normal_content(masker, data))

    # The delivery log lines: to=, orig_to=, relay=, dsn=, status= (delays dropped), as
    # a sorted list.
    status = []
    for line in log_lines(root):
        m = re.search(r": (to=<.*?>, (?:orig_to=<.*?>, )?relay=[^,]*), delay=[^,]*, delays=[^,]*, (?:conn_use=\d+, )?"
                      r"(dsn=.*)$", line)
        if m:
            # The program: the last part of "postfix/pipe[PID]:" or "postfix/smtp/discard[PID]:".
            prog = re.search(r" \S*?([\w-]+)\[\d+\]: ", line)
            status.append(masker.text((prog.group(1) if prog else "?") + ": " + m.group(1) + ", " + m.group(2)))
    put("log.delivery", "\n".join(sorted(status)) + "\n")
    with open(os.path.join(outdir, "artifacts"), "w") as f:
        f.write("\n".join(sorted(names)) + "\n")
    return 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "send":
        return send(argv[2:])
    if len(argv) == 4 and argv[1] == "normalize":
        return normalize(argv[2], argv[3])
    print("usage: virtual_pipe.py send PORT:ROOT... | normalize ROOT OUTDIR", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
