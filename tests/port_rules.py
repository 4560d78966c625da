#!/usr/bin/env python3
"""Checks that tests which may run at the same time use different TCP ports.

ctest runs the suite in parallel, so two entry points that listen on the same loopback
port fail at random ("127.0.0.1:N is in use"). Every port of the suite's block
(10700-10899) named in a test entry point (tests/interop/*.sh, tests/integration/*.sh
and the unit tests' sources) must belong to one entry point only. A sourced helper's default port is not
counted: each script that sources it sets its own or asks the kernel for a free one.
Benchmarks (tests/bench) run alone and are not checked.
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
tests = root / "tests"
PORT = re.compile(r"(?<![0-9.])(10[78][0-9]{2})(?![0-9])")


def main() -> int:
    owners: dict[str, list[str]] = {}
    entries = sorted(tests.glob("interop/*.sh")) + sorted(tests.glob("integration/*.sh"))
    entries += sorted(tests.glob("unit/**/*.cpp")) + sorted(tests.glob("unit/**/*.h"))
    for entry in entries:
        for port in set(PORT.findall(entry.read_text(errors="replace"))):
            owners.setdefault(port, []).append(str(entry.relative_to(root)))
    clashes = {p: o for p, o in owners.items() if len(o) > 1}
    for port, users in sorted(clashes.items()):
        print(f"port {port} is used by {len(users)} tests that may run at once: {', '.join(users)}")
    return 1 if clashes else 0


if __name__ == "__main__":
    sys.exit(main())
