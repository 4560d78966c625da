#!/usr/bin/env python3
"""Enforces DESIGN.md's include rules.

- Each vendor header appears only in its one home (a backend file, main.cpp, lib/tls, …).
- lib/ never includes tools/ or mta/; a layer includes only the layers it may use.
- No vendor type appears in a public header outside its home.
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")

# vendor header regex -> list of path globs where it may be included
VENDOR_HOMES = {
    r"^db\.h$|^db_cxx\.h$": ["lib/maps/src/dict_db.cpp"],
    r"^lmdb\.h$": ["lib/maps/src/dict_lmdb.cpp"],
    r"^pcre2\.h$": ["lib/maps/src/dict_pcre.cpp"],
    r"^openssl/": ["lib/tls/src/*.cpp", "lib/lint/src/tls_*.cpp"],
    r"^CLI/": ["tools/*/main.cpp", "mta/*/main.cpp"],
    r"^ares\.h$|^ares_": ["lib/dns/src/*.cpp"],
    r"^nlohmann/": ["lib/artifact/**", "lib/lint/src/**", "tools/**", "mta/**", "tests/**"],
    r"^gtest/|^gmock/": ["tests/**"],
}
VENDOR_TYPES = re.compile(r"\b(DB|DBC|DB_ENV|MDB_env|MDB_txn|MDB_cursor|pcre2_code|pcre2_match_data|SSL|SSL_CTX)\s*\*|\bCLI::App\b|\bMDB_dbi\b")
COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)

# layer -> layers it may include (DESIGN.md table)
LAYERS = {
    "base": set(),
    "config": {"base"},
    "maps": {"base", "config"},
    "address": {"base", "config", "maps"},
    "policy": {"base", "config", "maps", "address"},
    "simulate": {"base", "config", "maps", "address", "policy"},
    "lint": {"base", "config", "maps", "address", "policy", "simulate"},
    "artifact": {"base", "config", "maps"},
    "queue": {"base", "config"},
    "message": {"base", "config", "maps"},
    "smtp": {"base", "config", "address", "policy", "message"},
    "dns": {"base"},
    "tls": {"base", "config"},
    "sasl": {"base", "config"},
    "delivery": {"base", "config", "queue", "message"},
    "server": {"base", "config", "maps", "address", "policy", "queue", "message", "smtp", "dns", "tls", "sasl", "delivery",
               "artifact"},
}

include_re = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
problems = []


def matches(path, globs):
    rel = path.relative_to(root)
    return any(rel.match(g) or (g.endswith("/**") and str(rel).startswith(g[:-3])) for g in globs)


for path in sorted(root.glob("**/*")):
    if path.suffix not in (".cpp", ".h") or any(p.startswith("build") for p in path.relative_to(root).parts):
        continue
    rel = path.relative_to(root)
    text = path.read_text(errors="replace")
    for inc in include_re.findall(text):
        for pattern, homes in VENDOR_HOMES.items():
            if re.search(pattern, inc) and not matches(path, homes):
                problems.append(f"{rel}: includes vendor header <{inc}> outside its home {homes}")
        if rel.parts[0] == "lib":
            layer = rel.parts[1]
            m = re.match(r"postline/(\w+)/", inc)
            if m and m.group(1) != layer and m.group(1) not in LAYERS.get(layer, set()):
                problems.append(f"{rel}: layer '{layer}' may not include {inc}")
            if inc.startswith(("tools/", "mta/")):
                problems.append(f"{rel}: lib/ must not include programs ({inc})")
    code = COMMENTS.sub("", text)
    if rel.parts[0] == "lib" and "include" in rel.parts and VENDOR_TYPES.search(code):
        problems.append(f"{rel}: vendor type in a public header: {VENDOR_TYPES.search(code).group(0)}")
    if rel.parts[0] in ("tools", "mta"):
        for inc in include_re.findall(text):
            other = re.match(r"(?:\.\./)+(\w+)/", inc)
            if other:
                problems.append(f"{rel}: programs must not include another program's files ({inc})")

for p in problems:
    print(p)
print(f"include rules: {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
