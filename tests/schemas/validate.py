#!/usr/bin/env python3
"""Validates JSON documents against a JSON Schema in schemas/.

Usage: validate.py SCHEMA DOCUMENT...   (exit 1 and one line per problem when invalid)
"""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
bad = 0
for path in sys.argv[2:]:
    for error in validator.iter_errors(json.load(open(path))):
        print(f"{path}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
        bad += 1
sys.exit(1 if bad else 0)
