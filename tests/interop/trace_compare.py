#!/usr/bin/env python3
"""Sends one message per address to a running Postfix instance over SMTP on the
loopback interface, waits until its queue is empty, reads what it logged, asks
`postline trace` for the same addresses and compares both, one line per address.

Used by tests/interop/trace_postfix.sh; the instance is set up there. What is compared,
per address, as a sorted set of facts:
  rcpt REPLY            smtpd's reply to RCPT TO (the full text when it is not 2xx)
  deliver TO T:NEXTHOP  a recipient handed to transport T (a discard(8) service whose
                        syslog_name is postfix/T; discard logs the nexthop as its reason).
                        TO is the resolved address (qmgr delivers to what trivial-rewrite
                        returns); NEXTHOP is compared in lower case, because qmgr shares one
                        queue per lower-cased nexthop and the delivery agent gets the
                        spelling of whichever recipient created that queue
  discard TO DSN TEXT   qmgr drops mail for the local double-bounce address
  bounce TO DSN TEXT    a recipient bounced by the error(8) transport
  defer TO DSN TEXT     a recipient deferred after acceptance (status=deferred, or
                        SOFTBOUNCE under soft_bounce = yes), whichever program logged it
  local KIND TARGET     local(8): mailbox USER, file PATH, command CMD, bounce DSN TEXT,
                        defer DSN TEXT,
                        discard DSN TEXT (postmaster or MAILER-DAEMON without an alias);
                        mail that local(8) forwards ("forwarded as QID") is followed into
                        the new message, and trace's forward targets are traced again.
  mail REPLY            smtpd's reply to MAIL FROM when it is not 2xx (no RCPT TO follows)
Each comparison prints "PASS NAME" or "FAIL NAME" with a diff in a details file; the
shell script counts them.

A configuration may have a `session` file beside its `addresses` that changes how the
client talks, one setting a line (# comments):
  helo none        no HELO/EHLO before MAIL FROM (trace runs without --helo)
  helo NAME        EHLO NAME instead of client.example
  arguments raw    each line of `addresses` (and `sender`) is sent as written after
                   RCPT TO: (MAIL FROM:), without <> around it (trace --raw-arguments)
A session that got an error reply is closed and the next address starts a new one, so
that smtpd's error limits never come into play.
"""
import argparse
import difflib
import json
import os
import re
import smtplib
import subprocess
import sys
import time

LOG_LINE = re.compile(
    r"postfix(?:/(?P<prog>[^\[]+))?\[\d+\]: (?P<qid>[0-9A-F]+): to=<(?P<to>.*?)>, "
    r"(?:orig_to=<(?P<orig>.*?)>, )?relay=(?P<relay>[^,]*), .*?dsn=(?P<dsn>[0-9.]+), "
    r"status=(?P<status>\w+) \((?P<text>.*)\)$"
)
# A deferral, and a bounce that soft_bounce = yes turned into one (bounce.c logs it so).
DEFERRED = ("deferred", "SOFTBOUNCE")
FORWARDED = re.compile(r"^forwarded as ([0-9A-F]+)$")
REMOVED = re.compile(r"postfix/qmgr\[\d+\]: ([0-9A-F]+): removed$")


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--name", required=True, help="configuration name for the report lines")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--conf", required=True, help="the instance's configuration directory")
    p.add_argument("--log", required=True, help="the instance's maillog_file")
    p.add_argument("--trace", required=True, help="the postline program")
    p.add_argument("--addresses", required=True, help="one address per line, # comments")
    p.add_argument("--sender", default="", help="envelope sender (default the null sender)")
    p.add_argument("--details", required=True, help="directory for FAIL details")
    p.add_argument("--timeout", type=float, default=90.0)
    p.add_argument("--mta", default="postfix", help="what the diffs call the instance")
    p.add_argument("--postqueue", default="/usr/sbin/postqueue",
                   help="the postqueue that lists the instance's queue (Postfix's or ours)")
    return p.parse_args()


def read_addresses(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                out.append(line)
    return out


def read_session(path):
    """The session settings: {"helo": NAME or None, "raw": bool}."""
    settings = {"helo": "client.example", "raw": False}
    if not os.path.exists(path):
        return settings
    with open(path, encoding="utf-8") as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            if words[0] == "helo" and len(words) == 2:
                settings["helo"] = None if words[1] == "none" else words[1]
            elif words == ["arguments", "raw"]:
                settings["raw"] = True
            elif words == ["arguments", "wrapped"]:
                settings["raw"] = False
            else:
                raise RuntimeError("%s: unknown setting: %s" % (path, line.strip()))
    return settings


def argument(address, session):
    """What the client writes after RCPT TO: or MAIL FROM:."""
    return address if session["raw"] else "<%s>" % address


def postconf(conf, name):
    r = subprocess.run(["/usr/sbin/postconf", "-c", conf, "-xh", name], capture_output=True, text=True, check=True)
    return r.stdout.strip()


def send_all(port, sender, addresses, session):
    """One message per address, in one SMTP session until a command fails:
    {address: (MAIL or RCPT reply, DATA reply when it failed or None, queue id or None)}."""
    results = {}
    s = None
    try:
        for a in addresses:
            if s is None:
                s = smtplib.SMTP("127.0.0.1", port, local_hostname=session["helo"] or "client.example", timeout=60)
                if session["helo"]:
                    s.ehlo()
            code, msg = s.docmd("MAIL FROM:%s" % (argument(sender, session) if sender else "<>"))
            qid = data = None
            if code != 250:
                results[a] = ("mail %d %s" % (code, msg.decode("utf-8", "replace")), None, None)
                s.docmd("RSET")
                s.close()
                s = None
                continue
            code, msg = s.docmd("RCPT TO:%s" % argument(a, session))
            reply = "%d %s" % (code, msg.decode("utf-8", "replace"))
            if code // 100 == 2:
                code, msg = s.docmd("DATA")
                if code != 354:
                    raise RuntimeError("DATA for <%s> got %d %s" % (a, code, msg.decode()))
                text = "Subject: routing test\r\nTo: <%s>\r\n\r\nrouting test\r\n.\r\n" % a
                s.send(text.encode("utf-8"))
                code, msg = s.getreply()
                m = re.search(r"queued as ([0-9A-F]+)", msg.decode())
                if code == 250 and m:
                    qid = m.group(1)
                else:
                    data = "%d %s" % (code, msg.decode("utf-8", "replace"))
            else:
                s.docmd("RSET")
                s.close()
                s = None
            results[a] = (reply, data, qid)
        if s is not None:
            s.docmd("QUIT")
    finally:
        if s is not None:
            s.close()
    return results


def wait_for_empty_queue(postqueue, conf, timeout):
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        r = subprocess.run([postqueue, "-c", conf, "-p"], capture_output=True, text=True)
        if "Mail queue is empty" in r.stdout:
            return True
        if time.monotonic() > deadline:
            sys.stderr.write("queue not empty after %.0fs:\n%s" % (timeout, r.stdout))
            return False
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


def read_log(path):
    """({queue id: [match, ...]} of every delivery-status line, {queue ids removed})."""
    by_qid = {}
    removed = set()
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = LOG_LINE.search(line.rstrip("\n"))
            if m:
                by_qid.setdefault(m.group("qid"), []).append(m)
            r = REMOVED.search(line)
            if r:
                removed.add(r.group(1))
    return by_qid, removed


def read_complete_log(path, qids, timeout):
    """The log once every message (and every message local(8) forwarded) has its
    "removed" line: postlogd writes what the daemons send it a moment later."""
    deadline = time.monotonic() + timeout
    while True:
        by_qid, removed = read_log(path)
        pending = set(qids)
        for ms in by_qid.values():
            for m in ms:
                fwd = FORWARDED.match(m.group("text"))
                if fwd:
                    pending.add(fwd.group(1))
        if pending <= removed or time.monotonic() > deadline:
            return by_qid, pending - removed
        time.sleep(0.05)


QUOTED = re.compile(r'^"((?:[^"\\]|\\.)*)"(@.*)?$')


def internal_form(address):
    """Postfix logs recipients in quoted (external) form ("a b"@example.org); trace's
    JSON has the internal form (a b@example.org) that the queue file keeps."""
    m = QUOTED.match(address)
    if not m:
        return address
    return re.sub(r"\\(.)", r"\1", m.group(1)) + (m.group(2) or "")


def strip_extension(local, delimiters):
    """local(8)'s mailbox user: the local part without its address extension."""
    if not delimiters:
        return local
    for i, c in enumerate(local):
        if c in delimiters and i > 0:
            return local[:i]
    return local


def postfix_facts(by_qid, qid, delimiters, seen=None):
    seen = seen if seen is not None else set()
    if qid in seen:
        return set()
    seen.add(qid)
    facts = set()
    for m in by_qid.get(qid, []):
        prog, status, text = m.group("prog") or "", m.group("status"), m.group("text")
        to = internal_form(m.group("to"))
        service = prog.split("/")[0]
        if service == "local":
            fwd = FORWARDED.match(text)
            if fwd and status == "sent":
                facts |= postfix_facts(by_qid, fwd.group(1), delimiters, seen)
            elif status == "sent" and text == "delivered to mailbox":
                facts.add("local mailbox %s" % strip_extension(to.rsplit("@", 1)[0], delimiters).lower())
            elif status == "sent" and text.startswith("delivered to file: "):
                facts.add("local file %s" % text[len("delivered to file: "):])
            elif status == "sent" and text.startswith("delivered to command: "):
                facts.add("local command %s" % text[len("delivered to command: "):])
            elif status == "sent" and text == "delivered to maildir":
                facts.add("local maildir %s" % strip_extension(to.rsplit("@", 1)[0], delimiters).lower())
            elif status == "sent" and text == "discarded":
                facts.add("local discard %s %s" % (m.group("dsn"), text))
            elif status == "bounced":
                facts.add("local bounce %s %s" % (m.group("dsn"), text))
            elif status in DEFERRED:
                facts.add("local defer %s %s" % (m.group("dsn"), text))
            else:
                facts.add("local %s %s %s" % (status, m.group("dsn"), text))
        elif prog.endswith("/discard") or prog == "discard":
            facts.add("deliver %s %s:%s" % (to, service, text.lower()))
        elif prog == "qmgr" and status == "sent":
            facts.add("discard %s %s %s" % (to, m.group("dsn"), text))
        elif status == "bounced":
            facts.add("bounce %s %s %s" % (to, m.group("dsn"), text))
        elif status in DEFERRED:
            # Which program logs a deferral (qmgr for a dead transport, error(8) as
            # retry(8) for defer_transports or a resolver failure) is no routing fact.
            facts.add("defer %s %s %s" % (to, m.group("dsn"), text))
        else:
            facts.add("%s %s %s %s %s" % (status, to, service, m.group("dsn"), text))
    return facts


def run_trace(trace, conf, sender, addresses, session):
    if not addresses:
        return {}
    # The SMTP client as smtpd sees it: 127.0.0.1 without a name (smtpd_peername_lookup
    # is off in the instance), HELO client.example unless the session says otherwise.
    cmd = [trace, "trace", "-c", conf, "--format", "json", "--client", "127.0.0.1"]
    if session["helo"]:
        cmd += ["--helo", session["helo"]]
    if session["raw"]:
        cmd += ["--raw-arguments", "-f", sender or "<>"]
    elif sender:
        cmd += ["-f", sender]
    r = subprocess.run(cmd + ["--"] + list(addresses), capture_output=True, text=True)
    try:
        doc = json.loads(r.stdout)
    except json.JSONDecodeError:
        raise RuntimeError("postline trace gave no JSON (exit %d): %s" % (r.returncode, r.stderr))
    return {a: res for a, res in zip(addresses, doc["results"])}


def trace_facts(traces, address, resolve_more, depth=0):
    res = traces[address]
    smtpd = res["smtpd"]
    facts = set()
    if smtpd["verdict"] != "accept":
        facts.add("%s %s" % ("mail" if smtpd["stage"] == "MAIL FROM" else "rcpt", smtpd["reply"]))
        return facts
    if depth == 0:
        facts.add("rcpt 250")
    if res["verdict"] == "defer" and not res["recipients"]:
        # cleanup refuses the message: smtpd answers the end of DATA with 451.
        facts.add("data 451 %s" % res["reason"])
    for r in res["recipients"]:
        transport = r["transport"]
        if r["verdict"] == "reject" and transport == "error":
            facts.add("bounce %s %s" % (r["resolved"], r["reason"]))
        elif r["verdict"] == "discard":
            facts.add("discard %s %s" % (r["resolved"], r["reason"]))
        elif transport == "local" and r["class"] == "local":
            for d in r["local_deliveries"]:
                kind, target = d["kind"], d["target"]
                if kind == "mailbox" or kind == "maildir":
                    facts.add("local %s %s" % (kind, os.path.basename(target.rstrip("/")).lower()))
                elif kind == "forward":
                    more = resolve_more(target)
                    if more is None:
                        facts.add("local forward %s (not traced: too deep)" % target)
                    else:
                        facts |= trace_facts(more, target, resolve_more, depth + 1)
                elif kind in ("file", "command", "bounce", "defer", "discard"):
                    facts.add("local %s %s" % (kind, target))
                else:
                    facts.add("local %s %s" % (kind, target))
        elif r["verdict"] == "defer":
            facts.add("defer %s %s" % (r["resolved"], r["reason"]))
        else:
            facts.add("deliver %s %s:%s" % (r["resolved"], transport, r["nexthop"].lower()))
    return facts


def main():
    args = parse_args()
    addresses = read_addresses(args.addresses)
    session = read_session(os.path.join(os.path.dirname(args.addresses), "session"))
    delimiters = postconf(args.conf, "recipient_delimiter")
    t0 = time.monotonic()
    sent = send_all(args.port, args.sender, addresses, session)
    t1 = time.monotonic()
    drained = wait_for_empty_queue(args.postqueue, args.conf, args.timeout)
    t2 = time.monotonic()
    by_qid, incomplete = read_complete_log(args.log, [q for _, _, q in sent.values() if q], 10.0)
    traces = run_trace(args.trace, args.conf, args.sender, addresses, session)
    extra = {}

    def resolve_more(target):
        # A forward target is traced as a new message (local(8) resubmits it to cleanup).
        if target not in extra:
            if len(extra) > 1000:
                return None
            # The forwarded message is a new one from local(8), not an SMTP client.
            extra[target] = run_trace(
                args.trace, args.conf, args.sender, [target], {"helo": "client.example", "raw": False}
            )
        return extra[target]

    os.makedirs(args.details, exist_ok=True)
    passed = failed = 0
    for i, a in enumerate(addresses):
        reply, data, qid = sent[a]
        code = reply.split(" ", 1)[0]
        pf = set()
        if reply.startswith("mail "):
            pf.add(reply)
        else:
            pf.add("rcpt %s" % (code if code.startswith("2") else reply))
        if data:
            pf.add("data %s" % data)
        if qid:
            pf |= postfix_facts(by_qid, qid, delimiters)
        tr = trace_facts(traces, a, resolve_more)
        name = "%s: <%s>" % (args.name, a if len(a) <= 100 else "%s... (%d bytes)" % (a[:60], len(a)))
        if not drained or qid in incomplete:
            pf.add("(queue not empty or log incomplete)")
        if pf == tr:
            print("PASS %s" % name)
            passed += 1
        else:
            details = os.path.join(args.details, "%s.%d.diff" % (args.name, i))
            with open(details, "w", encoding="utf-8") as f:
                f.writelines(
                    difflib.unified_diff(
                        [x + "\n" for x in sorted(pf)],
                        [x + "\n" for x in sorted(tr)],
                        args.mta + (" (queue id %s)" % qid if qid else ""),
                        "trace",
                        lineterm="\n",
                    )
                )
            print("FAIL %s\t%s" % (name, details))
            failed += 1
    sys.stdout.flush()
    sys.stderr.write("smtp %.1fs, queue %.1fs, trace %.1fs" % (t1 - t0, t2 - t1, time.monotonic() - t2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
