#!/usr/bin/env python3
"""Print a libFuzzer dictionary for the scenario_parser target.

Its entries: the keys, op names and string values of the scenario format
(read from fixtures/scenarios and src/scenario/format.rs, so it follows the
format as it grows), and numbers at and beyond the limits of
src/scenario/check.rs. scripts/fuzz.sh writes it before each run.
"""
import glob
import json
import os
import re

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
keys, values = set(), set()


def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            keys.add(k)
            walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
    elif isinstance(v, str) and len(v) < 40 and re.fullmatch(r"[A-Za-z0-9_:.\[\]/-]+", v):
        values.add(v)


for f in sorted(glob.glob(os.path.join(root, "fixtures/scenarios/*.json"))):
    with open(f) as fh:
        walk(json.load(fh))
with open(os.path.join(root, "src/scenario/format.rs")) as fh:
    src = fh.read()
# Enum variants are op names (snake_case), struct fields are keys.
for m in re.finditer(r"^    ([A-Z][A-Za-z0-9]*) \{", src, re.M):
    values.add(re.sub(r"(?<!^)([A-Z])", r"_\1", m.group(1)).lower())
for m in re.finditer(r"^\s+(?:pub )?([a-z_]+): ", src, re.M):
    keys.add(m.group(1))

numbers = [
    "0", "1", "-1", "65507", "65535", "65536", "1048576", "1048577",
    "2147483647", "2147483648", "4294967295", "4294967296", "3600000",
    "3600001", "1000000000000", "18446744073709551615", "1e12",
    "-9223372036854775808", "0.5",
]
fragments = ['{"fill": ', '{"null": ', '{"room": ', '{"len": ', '"mem": ',
             '{"socket": ', '{"hex": "']


def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


print("# the scenario format's keys, op names and values; numbers at the limits")
for k in sorted(keys):
    print(quote('"%s":' % k))
for v in sorted(values - keys):
    print(quote('"%s"' % v))
for s in numbers + fragments:
    print(quote(s))
