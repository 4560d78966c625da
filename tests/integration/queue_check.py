#!/usr/bin/env python3
"""Checks a spool against what a load client (smtp_load.py) logged: every message that
got "250 ... queued as ID" must be in a complete queue file (owner bits exactly rwx)
whose content, read by Postfix's own postcat, is the message sent, below the
Received: header; every complete file must read to its end record with both postcat
programs (Postfix's and ours), which must agree; incomplete files (never acknowledged)
are counted and listed. Prints one "FAIL ..." line per problem and a summary line;
exit status 1 when anything failed.
Usage: queue_check.py CONF_DIR QUEUE_DIR OUR_POSTCAT LOG... [--incomplete-list FILE]
"""
import os
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smtp_load import message_bytes  # noqa: E402

PF_POSTCAT = "/usr/sbin/postcat"
QUEUES = ["incoming", "active", "deferred", "hold", "maildrop"]


def queue_files(queue_dir):
    """{queue id: path} of every file in the message queues (hashed or not)."""
    found = {}
    for q in QUEUES:
        for root, _dirs, files in os.walk(os.path.join(queue_dir, q)):
            for name in files:
                found.setdefault(name, []).append(os.path.join(root, name))
    return found


def postcat(program, conf, qid):
    p = subprocess.run([program, "-c", conf, "-q", qid], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr


def content_of(listing):
    """The lines between postcat's MESSAGE CONTENTS and HEADER EXTRACTED markers."""
    lines = listing.split(b"\n")
    start = next((i for i, x in enumerate(lines) if x.startswith(b"*** MESSAGE CONTENTS ")), None)
    end = next((i for i, x in enumerate(lines) if x.startswith(b"*** HEADER EXTRACTED ")), None)
    if start is None or end is None:
        return None
    return b"".join(x + b"\n" for x in lines[start + 1:end])


def main():
    argv = sys.argv[1:]
    incomplete_list = None
    if "--incomplete-list" in argv:
        i = argv.index("--incomplete-list")
        incomplete_list = argv[i + 1]
        del argv[i:i + 2]
    conf, queue_dir, ours = argv[0], argv[1], argv[2]
    acked = {}
    failed_tags = 0
    for log in argv[3:]:
        with open(log) as f:
            for line in f:
                fields = line.split()
                if fields and fields[0] == "QUEUED":
                    acked[fields[2]] = fields[1]
                elif fields and fields[0] == "FAILED":
                    failed_tags += 1
    files = queue_files(queue_dir)
    problems = 0

    def fail(text):
        nonlocal problems
        problems += 1
        if problems <= 30:
            print("FAIL " + text)

    complete, incomplete = {}, []
    for qid, paths in files.items():
        if len(paths) > 1:
            fail("%s: in more than one place: %s" % (qid, " ".join(paths)))
        st = os.lstat(paths[0])
        if stat.S_ISREG(st.st_mode) and (st.st_mode & stat.S_IRWXU) == stat.S_IRWXU:
            complete[qid] = paths[0]
        else:
            incomplete.append((qid, paths[0], st))

    # Every complete file reads to its end with both postcats, and they agree.
    contents = {}
    for qid in sorted(complete):
        if problems > 30:
            break
        rc, out, err = postcat(PF_POSTCAT, conf, qid)
        if rc != 0 or b"*** MESSAGE FILE END " not in out or err:
            fail("%s: Postfix's postcat: exit %d, end record %s, stderr %r" %
                 (qid, rc, "present" if b"*** MESSAGE FILE END " in out else "missing", err[:200]))
            continue
        rc2, out2, err2 = postcat(ours, conf, qid)
        if rc2 != 0 or out2 != out or err2:
            fail("%s: our postcat differs from Postfix's (exit %d, stderr %r)" % (qid, rc2, err2[:200]))
        contents[qid] = content_of(out)

    # Every acknowledged message is complete, with the content that was sent.
    for qid, tag in sorted(acked.items()):
        if problems > 30:
            print("FAIL more than 30 problems; the check stopped")
            break
        if qid not in files:
            fail("%s (%s): acknowledged, not in the queue" % (qid, tag))
        elif qid not in complete:
            fail("%s (%s): acknowledged, file incomplete (mode %o)" %
                 (qid, tag, next(st.st_mode for q, _p, st in incomplete if q == qid)))
        elif qid in contents:
            got = contents[qid]
            want = message_bytes(tag)
            # smtpd's Received: header (with its continuation lines) comes first.
            if got is None or not got.startswith(b"Received: "):
                fail("%s (%s): no Received: header first" % (qid, tag))
                continue
            rest = got.split(b"\n", 1)[1]
            while rest.startswith((b"\t", b" ")):
                rest = rest.split(b"\n", 1)[1]
            if rest != want:
                fail("%s (%s): content differs from what was sent (%d bytes queued, %d sent)" %
                     (qid, tag, len(rest), len(want)))

    unacked_complete = sorted(set(complete) - set(acked))
    not_0700 = sum(1 for _q, _p, st in incomplete if (st.st_mode & 0o777) != 0o700)
    if incomplete_list:
        with open(incomplete_list, "w") as f:
            for qid, path, _st in incomplete:
                f.write(path + "\n")
    print("queue: %d acknowledged, %d complete files (%d of them never acknowledged), "
          "%d incomplete files (%d not mode 0700), %d messages not acknowledged, %d problems" %
          (len(acked), len(complete), len(unacked_complete), len(incomplete), not_0700, failed_tags, problems))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
