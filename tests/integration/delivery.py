#!/usr/bin/env python3
# The messages, the waiting and the normalising of tests/integration/deliver.sh: the same
# mail into a private Postfix 3.7 and a private Postline instance (each with its own
# scratch ROOT), then every mailbox, file, command output and Maildir they wrote, their
# delivery log lines and their non-delivery reports (read with the email module), in a
# form where only what must differ (queue ids, times, the instance's directory) is masked.
# Commands:
#   send PORT:ROOT...       each message into every instance, one at a time, waiting until
#                           every queue is empty before the next (deliveries in one order)
#   send2 PORT:ROOT...      the same with the second round's messages
#   normalize ROOT OUTDIR   one text file per artifact in OUTDIR (the same names on both)
#   read USERS_FILE PORTS   reads every user's mail over IMAP and POP3 from a Dovecot and
#                           compares it with the mailbox on disk
import email
import email.policy
import imaplib
import os
import poplib
import re
import smtplib
import sys
import time

DATE = "Mon, 07 Dec 2026 00:00:00 +0000"


def message(n, subject, body, extra=""):
    head = (f"From: Sender <sender@deliver.example>\r\nTo: recipients@deliver.example\r\n"
            f"Subject: {subject}\r\nDate: {DATE}\r\nMessage-ID: <{n}.deliver@client.example>\r\n{extra}")
    return (head + "\r\n" + body).encode()


PLAIN = "one line\r\nFrom the start of a line\r\n>From already quoted\r\n.leading dot\r\n\r\nlast line\r\n"
# (sender, recipients, MAIL options, RCPT options, subject, body, extra headers)
MESSAGES = [
    ("bin@deliver.example", ["nobody@deliver.example"], [], [], "to a mailbox", PLAIN, ""),
    ("bin@deliver.example", ["daemon+ext@deliver.example"], [], [], "an address extension", PLAIN, ""),
    ("bin@deliver.example", ["touser@deliver.example"], [], [], "an alias to a user", PLAIN, ""),
    ("bin@deliver.example", ["chain@deliver.example"], [], [], "two aliases deep", PLAIN, ""),
    ("bin@deliver.example", ["tofile@deliver.example"], [], [], "an alias to a file", PLAIN, ""),
    ("bin@deliver.example", ["tocmd+x@deliver.example"], [], [], "an alias to a command", PLAIN, ""),
    ("bin@deliver.example", ["maildir@deliver.example"], [], [], "an alias to a Maildir", PLAIN, ""),
    ("bin@deliver.example", ["list@deliver.example"], [], [], "a list", PLAIN, ""),
    ("bin@deliver.example", ["incl@deliver.example"], [], [], "an include list", PLAIN, ""),
    ("bin@deliver.example", ["nosuch@deliver.example"], [], [], "an unknown user", PLAIN, ""),
    ("sys@deliver.example", ["ghost@deliver.example"], [], [], "an alias to an unknown user", PLAIN, ""),
    ("sys@deliver.example", ["closed@deliver.example"], [], [], "an alias to the error transport", PLAIN, ""),
    ("bin@deliver.example", ["discardme@deliver.example"], [], [], "the discard transport", PLAIN, ""),
    ("bin@deliver.example", ["dropped@deliver.example"], [], [], "an alias to the discard transport", PLAIN, ""),
    ("bin@deliver.example", ["away@deliver.example"], [], [], "an alias to a remote address", PLAIN, ""),
    ("bin@deliver.example", ["someone@remote.example"], [], [], "relayed (smtp is discard)", PLAIN, ""),
    ("bin@deliver.example",
     ["nobody@deliver.example", "daemon@deliver.example", "maildir@deliver.example", "nosuch2@deliver.example"],
     [], [], "four recipients, one unknown", PLAIN, ""),
    ("bin@deliver.example", ["daemon@deliver.example"], ["BODY=8BITMIME"], [], "8-bit",
     "caf\u00e9 cr\u00e8me br\u00fbl\u00e9e\r\n", "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
     "Content-Transfer-Encoding: 8bit\r\n"),
    ("bin@deliver.example", ["nosuch3@deliver.example"], ["RET=HDRS", "ENVID=envelope-17"],
     ["NOTIFY=FAILURE,DELAY", "ORCPT=rfc822;original@deliver.example"], "DSN: headers only", PLAIN, ""),
    ("bin@deliver.example", ["nobody@deliver.example"], ["RET=FULL"], ["NOTIFY=SUCCESS"],
     "DSN: success notification", PLAIN, ""),
    ("sys@deliver.example", ["nosuch4@deliver.example"], [], ["NOTIFY=NEVER"], "DSN: never notify", PLAIN, ""),
    ("bin@deliver.example", ["nobody+fwd@deliver.example"], [], [], "a .forward file", PLAIN, ""),
    ("sys@deliver.example", ["oldname@deliver.example"], [], [], "an alias to a relocated user", PLAIN, ""),
    ("bin@deliver.example", ["nobody@deliver.example"], [], [], "a Delivered-To loop", PLAIN,
     "Delivered-To: nobody@deliver.example\r\n"),
    ("bin@deliver.example", ["nobody@deliver.example"], [], [], "header_checks: discard me", PLAIN, ""),
    ("bin@deliver.example", ["nobody@deliver.example"], [], [], "header_checks: redirect me", PLAIN, ""),
    ("bin@deliver.example", ["nobody@deliver.example"], [], [], "header_checks: filter me", PLAIN, ""),
    ("bin@deliver.example", ["nobody@deliver.example"], [], [], "header_checks: a blind copy", PLAIN,
     "X-Copy-To: yes\r\n"),
    ("bin@deliver.example", ["vmd@virt.example", "vmb@virt.example"], [], [], "virtual: Maildir and mbox", PLAIN, ""),
    ("bin@deliver.example", ["piped+ext@deliver.example"], [], [], "pipe(8) through transport_maps", PLAIN, ""),
]
# The second round, after both instances reloaded with mailbox_command and luser_relay
# (deliver.sh): numbered from 101.
MESSAGES2 = [
    ("bin@deliver.example", ["daemon@deliver.example"], [], [], "mailbox_command", PLAIN, ""),
    ("bin@deliver.example", ["nosuch5+ext@deliver.example"], [], [], "luser_relay", PLAIN, ""),
    ("bin@deliver.example", ["touser@deliver.example"], [], [], "mailbox_command after an alias", PLAIN, ""),
]


def queue_files(root):
    found = []
    for sub in ("maildrop", "incoming", "active", "deferred"):
        for dirpath, _, files in os.walk(os.path.join(root, "queue", sub)):
            found.extend(os.path.join(dirpath, f) for f in files)
    return found


def wait_empty(roots, limit=60.0):
    """Until every queue has been empty twice 0.2 s apart; then until the logs stop
    growing. False (with what is left) after LIMIT seconds."""
    deadline = time.time() + limit
    quiet = 0
    while time.time() < deadline:
        left = [f for r in roots for f in queue_files(r)]
        quiet = quiet + 1 if not left else 0
        if quiet >= 2:
            break
        time.sleep(0.2)
    else:
        print("queue not empty after %.0f s: %s" % (limit, " ".join(left)), file=sys.stderr)
        return False
    sizes = None
    while time.time() < deadline:
        now = [os.path.getsize(os.path.join(r, "maillog")) if os.path.exists(os.path.join(r, "maillog")) else 0
               for r in roots]
        if now == sizes:
            return True
        sizes = now
        time.sleep(0.3)
    return True


def send(targets, messages=None, first=1):
    messages = MESSAGES if messages is None else messages
    instances = []
    for t in targets:
        port, root = t.split(":", 1)
        instances.append((int(port), root))
    ok = True
    # Each message gets 30 s to be delivered; once one has not been, the rest get 5 s each
    # (an instance that keeps mail queued would otherwise take ten minutes).
    limit = 30.0
    for n, (sender, rcpts, mopts, ropts, subject, body, extra) in enumerate(messages, first):
        data = message(n, subject, body, extra)
        for port, root in instances:
            try:
                with smtplib.SMTP("127.0.0.1", port, local_hostname="client.example", timeout=30) as s:
                    s.ehlo("client.example")
                    s.mail(sender, mopts)
                    for r in rcpts:
                        code, reply = s.rcpt(r, ropts)
                        if code != 250:
                            print(f"{root}: message {n}: RCPT {r}: {code} {reply!r}", file=sys.stderr)
                            ok = False
                    code, reply = s.data(data)
                    queued = re.search(rb"queued as ([0-9A-Za-z]+)", reply)
                    with open(os.path.join(root, "sent"), "a") as f:
                        f.write(f"{n} {queued.group(1).decode() if queued else '-'} {subject}\n")
            except (smtplib.SMTPException, OSError) as e:
                print(f"{root}: message {n} ({subject}): {e!r}", file=sys.stderr)
                ok = False
        if not wait_empty([root for _, root in instances], limit):
            ok = False
            limit = 5.0
    return 0 if ok else 1


# Normalising.
LOG_PREFIX = re.compile(r"^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ ([^\[:]+)(?:\[\d+\])?: ")
QUEUE_ID = re.compile(r"^([0-9A-Za-z]{6,}): ")
RFC_DATE = re.compile(r"(?:[A-Z][a-z]{2}, )?[ 0-9]?[0-9] [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} [-+][0-9]{4}(?: \([A-Za-z]+\))?")


def log_lines(root):
    path = os.path.join(root, "maillog")
    lines = []
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    return lines


def queue_ids(root):
    ids = set()
    for line in log_lines(root):
        m = LOG_PREFIX.match(line)
        if not m:
            continue
        rest = line[m.end():]
        q = QUEUE_ID.match(rest)
        if q:
            ids.add(q.group(1))
        ids.update(re.findall(r"(?:queued as|forwarded as|notification: ) ?([0-9A-Za-z]{6,})", rest))
    return sorted(ids, key=len, reverse=True)


class Masker:
    def __init__(self, root):
        self.root = os.path.realpath(root)
        self.ids = queue_ids(root)
        self.id_re = re.compile(r"\b(?:%s)\b" % "|".join(map(re.escape, self.ids))) if self.ids else None

    def text(self, s):
        s = s.replace(self.root, "@ROOT@")
        if self.id_re:
            s = self.id_re.sub("QID", s)
        s = RFC_DATE.sub("DATE", s)
        s = re.sub(r"\b[0-9]{14}\.", "TIMESTAMP.", s)
        # MIME boundaries Postfix's bounce makes: QUEUEID.TIME/HOST
        s = re.sub(r"QID\.[0-9]{9,11}/", "QID.TIME/", s)
        return s


def split_mbox(data):
    """An mbox file as a list of messages, each beginning with its From_ line."""
    msgs, cur = [], []
    for line in data.split(b"\n"):
        if line.startswith(b"From ") and (not cur or cur[-1] == b""):
            if cur:
                msgs.append(b"\n".join(cur) + b"\n")
            cur = [line]
        else:
            cur.append(line)
    if cur and cur != [b""]:
        tail = b"\n".join(cur)
        msgs.append(tail)
    return msgs


def normal_message(masker, raw):
    text = raw.decode("utf-8", errors="replace")
    text = re.sub(r"^(From \S+) +\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}", r"\1  DATE", text, flags=re.M)
    return masker.text(text)


def ndr_structure(masker, raw):
    """What a parser sees of a delivery status notification: the MIME tree, the
    notification's headers, every delivery-status field, the text parts."""
    body = raw.split(b"\n", 1)[1] if raw.startswith(b"From ") else raw
    msg = email.message_from_bytes(body, policy=email.policy.compat32)
    out = []
    for h in ("From", "To", "Subject", "Auto-Submitted", "MIME-Version", "Content-Type"):
        v = msg.get(h)
        out.append(f"header {h}: {masker.text(' '.join(str(v).split())) if v is not None else '(none)'}")

    def walk(part, depth):
        ind = "  " * depth
        params = {k: v for k, v in part.get_params([])[1:]} if part.get_params() else {}
        params.pop("boundary", None)
        desc = part.get("Content-Description")
        out.append(f"{ind}part {part.get_content_type()} {sorted(params.items())}"
                   + (f" description={desc!r}" if desc else ""))
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            for i, block in enumerate(part.get_payload()):
                out.append(f"{ind}  block {i}")
                for k, v in block.items():
                    out.append(f"{ind}    {k}: {masker.text(' '.join(v.split()))}")
        elif ctype == "message/rfc822":
            inner = part.get_payload()[0]
            for k, v in inner.items():
                out.append(f"{ind}  header {k}: {masker.text(' '.join(v.split()))}")
            walk(inner, depth + 1)
        elif part.is_multipart():
            for sub in part.get_payload():
                walk(sub, depth + 1)
        else:
            payload = part.get_payload(decode=True) or b""
            for line in payload.decode("utf-8", errors="replace").splitlines():
                out.append(f"{ind}  | {masker.text(line)}")
    walk(msg, 0)
    return "\n".join(out) + "\n"


def is_report(raw):
    head = raw.split(b"\n\n", 1)[0].lower()
    return b"content-type: multipart/report" in head


MAILDIR_NAME = re.compile(r"^\d+\.V[0-9a-f]+I[0-9a-f]+M\d+\.[A-Za-z0-9.-]+$")


def normalize(root, outdir):
    os.makedirs(outdir, exist_ok=True)
    masker = Masker(root)
    written = []

    def put(name, text):
        with open(os.path.join(outdir, name), "w", encoding="utf-8") as f:
            f.write(text)
        written.append(name)

    def put_mbox(name, path):
        with open(path, "rb") as f:
            data = f.read()
        msgs = split_mbox(data)
        # Copies of one message for two recipients of the same mailbox are delivered by
        # two agents at once, in either order (in Postfix too): each run of copies with
        # the same Message-ID is compared in a fixed order.
        normal = [normal_message(masker, m) for m in msgs]
        ids = [re.search(r"^Message-ID: *(\S+)", t, re.M | re.I) for t in normal]
        ids = [m.group(1) if m else None for m in ids]
        i = 0
        while i < len(normal):
            j = i + 1
            while j < len(normal) and ids[i] is not None and ids[j] == ids[i]:
                j += 1
            normal[i:j] = sorted(normal[i:j])
            i = j
        put(name, "".join(f"==== message {i}\n" + t for i, t in enumerate(normal, 1)))
        n = 0
        for m in msgs:
            if is_report(m):
                n += 1
                # Named after the message it reports on (the test's Message-ID numbers),
                # so that one report missing or extra does not shift the others.
                about = re.search(rb"^\|? *Message-ID: <(\d+)\.deliver@client\.example>", m, re.M | re.I)
                key = f"for-message-{int(about.group(1)):02d}" if about else f"number-{n}"  # 101 as 101
                put(f"{name}.report.{key}", ndr_structure(masker, m))

    spool = os.path.join(root, "spool")
    for user in sorted(os.listdir(spool)) if os.path.isdir(spool) else []:
        path = os.path.join(spool, user)
        if os.path.isfile(path) and not user.endswith(".lock"):
            put_mbox(f"mbox.{user}", path)
    def put_maildir(name, path):
        lines = []
        for sub in ("tmp", "cur", "new"):
            files = sorted(os.listdir(os.path.join(path, sub))) if os.path.isdir(os.path.join(path, sub)) else None
            lines.append(f"{sub}/: {'missing' if files is None else len(files)} files")
            for f in files or []:
                if not MAILDIR_NAME.match(f):
                    lines.append(f"  a name unlike Postfix's TIME.VdevIinodeMusec.HOST: {f}")
        msgs = []
        for f in os.listdir(os.path.join(path, "new")) if os.path.isdir(os.path.join(path, "new")) else []:
            with open(os.path.join(path, "new", f), "rb") as fp:
                msgs.append(normal_message(masker, fp.read()))
        for i, m in enumerate(sorted(msgs), 1):
            lines.append(f"==== message {i}\n{m}")
        put(name, "\n".join(lines) + "\n")

    # out/: what aliases, .forward and pipe wrote; vmail/: virtual(8)'s mailboxes.
    for top in ("out", "vmail"):
        base = os.path.join(root, top)
        for dirpath, dirs, files in os.walk(base) if os.path.isdir(base) else []:
            rel = os.path.relpath(dirpath, root).replace("/", ".")
            if os.path.isdir(os.path.join(dirpath, "new")):
                put_maildir(f"maildir.{rel}", dirpath)
                dirs[:] = []
                continue
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(dirpath, name)
                if name.endswith(".lock"):
                    continue
                if top == "vmail" or name.endswith(".mbox") or name.endswith(".file"):
                    put_mbox(f"file.{rel}.{name}", path)
                else:
                    with open(path, "rb") as f:
                        put(f"output.{rel}.{name}", normal_message(masker, f.read()))
    # The delivery log: every line of the queue manager and the delivery agents, and
    # cleanup's header_checks actions (not smtpd's or master's), as a sorted multiset.
    lines = []
    for line in log_lines(root):
        m = LOG_PREFIX.match(line)
        if not m:
            continue
        prog, rest = m.group(1), line[m.end():]
        daemon = prog.split("/")[-1]
        # cleanup's lines only for what header_checks did (discard, redirect, filter, bcc).
        if daemon == "cleanup" and not re.match(r"[0-9A-Za-z]+: (discard|redirect|filter|hold|bcc|reject|warning|info): ", rest):
            continue
        if daemon in ("smtpd", "master", "postfix-script", "postlogd", "postfix"):
            continue
        rest = re.sub(r"delay=[0-9.]+", "delay=D", rest)
        rest = re.sub(r"delays=[0-9./]+", "delays=D", rest)
        lines.append(f"{prog}: {masker.text(rest)}")
    put("log.delivery", "\n".join(sorted(lines)) + "\n")
    # Each message smtpd accepted: its queue file removed (per the log) once delivered.
    removed = set()
    for line in log_lines(root):
        m = re.search(r": ([0-9A-Za-z]{6,}): removed$", line)
        if m:
            removed.add(m.group(1))
    accepted = []
    if os.path.exists(os.path.join(root, "sent")):
        with open(os.path.join(root, "sent")) as f:
            for line in f:
                n, qid, subject = line.rstrip("\n").split(" ", 2)
                state = "removed after delivery" if qid in removed else "NOT removed (per the log)"
                accepted.append(f"message {n} ({subject}): {'accepted' if qid != '-' else 'NOT accepted'}, {state}")
    put("messages", "\n".join(accepted) + "\n")
    put("artifacts", "\n".join(sorted(written)) + "\n")
    return 0


def read_dovecot(users_file, imap_port, pop3_port, password):
    """USERS_FILE: one 'USER KIND PATH' a line (KIND mbox or maildir). Each user's
    messages over IMAP and over POP3 must be the messages on disk, in order."""
    failures = 0
    total = 0
    with open(users_file) as f:
        users = [line.split() for line in f if line.strip()]
    for user, kind, path in users:
        if kind == "mbox":
            with open(path, "rb") as fp:
                disk = [m.split(b"\n", 1)[1] for m in split_mbox(fp.read())]
            # mbox stores a blank line after each message.
            disk = [m[:-1] if m.endswith(b"\n\n") else m for m in disk]
        else:
            names = sorted(os.listdir(os.path.join(path, "new")), key=lambda n: (int(n.split(".")[0]), n))
            disk = []
            for n in names:
                with open(os.path.join(path, "new", n), "rb") as fp:
                    disk.append(fp.read())
        disk = [d.replace(b"\n", b"\r\n") for d in disk]
        imap = imaplib.IMAP4("127.0.0.1", imap_port)
        imap.login(user, password)
        typ, data = imap.select("INBOX", readonly=True)
        count = int(data[0])
        got_imap = []
        for i in range(1, count + 1):
            typ, fetched = imap.fetch(str(i), "(BODY.PEEK[])")
            got_imap.append(fetched[0][1])
        imap.logout()
        pop = poplib.POP3("127.0.0.1", pop3_port, timeout=30)
        pop.user(user)
        pop.pass_(password)
        n, _ = pop.stat()
        got_pop = [b"\r\n".join(pop.retr(i)[1]) + b"\r\n" for i in range(1, n + 1)]
        pop.quit()
        problems = []
        if kind == "maildir":
            # Dovecot orders a Maildir by its own uid assignment: compare as sets.
            same_imap = sorted(got_imap) == sorted(disk)
            same_pop = sorted(got_pop) == sorted(disk)
        else:
            same_imap, same_pop = got_imap == disk, got_pop == disk
        if not same_imap:
            problems.append(f"IMAP gives {len(got_imap)} messages, not the {len(disk)} on disk" if len(got_imap) != len(
                disk) else "IMAP gives other content than the file")
        if not same_pop:
            problems.append(f"POP3 gives {len(got_pop)} messages, not the {len(disk)} on disk" if len(got_pop) != len(
                disk) else "POP3 gives other content than the file")
        total += len(disk)
        if problems:
            failures += 1
            print(f"FAIL Dovecot reads {user} ({kind} {path}): " + "; ".join(problems))
        else:
            print(f"PASS Dovecot reads {user}'s {len(disk)} messages ({kind}) over IMAP and POP3 as on disk")
    print(f"dovecot: {total} messages in {len(users)} mailboxes", file=sys.stderr)
    return 1 if failures else 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "send":
        return send(argv[2:])
    if len(argv) >= 3 and argv[1] == "send2":
        return send(argv[2:], MESSAGES2, 101)
    if len(argv) == 4 and argv[1] == "normalize":
        return normalize(argv[2], argv[3])
    if len(argv) == 6 and argv[1] == "read":
        return read_dovecot(argv[2], int(argv[3]), int(argv[4]), argv[5])
    print(__doc__ or "usage: delivery.py send|normalize|read ...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
