#!/usr/bin/env python3
"""Keeps only the allocation count in package-benchmark threshold files.

`benchmark thresholds update` records every metric, wall clock included; a wall-clock threshold would be a
timing gate on a noisy machine, which jwtk does not have. This rewrites each *.p90.json in the folder given
to {"mallocCountTotal": N}, the deterministic gate `make bench-check` applies.
"""
import json
import pathlib
import sys

folder = pathlib.Path(sys.argv[1])
for path in sorted(folder.glob("*.p90.json")):
    data = json.loads(path.read_text())
    if "mallocCountTotal" not in data:
        sys.exit(f"{path}: no mallocCountTotal")
    path.write_text('{\n  "mallocCountTotal": %d\n}\n' % data["mallocCountTotal"])
