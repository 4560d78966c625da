#!/usr/bin/env python3
"""Validates JSON documents against a JSON Schema in schemas/.

Usage: validate.py [--lines] SCHEMA DOCUMENT...   (exit 1 and one line per problem when invalid)
With --lines every DOCUMENT is a JSON Lines file: each of its lines is validated.
"""
import json
import sys

import jsonschema

args = sys.argv[1:]
lines = args[:1] == ["--lines"]
if lines:
    args = args[1:]
schema = json.load(open(args[0]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
bad = 0
for path in args[1:]:
    if lines:
        docs = [(f"{path}:{n}", json.loads(text)) for n, text in enumerate(open(path, encoding="utf-8"), 1)]
    else:
        docs = [(path, json.load(open(path)))]
    for where, doc in docs:
        for error in validator.iter_errors(doc):
            print(f"{where}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
            bad += 1
sys.exit(1 if bad else 0)
