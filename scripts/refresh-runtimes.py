#!/usr/bin/env python3
"""Regenerate crates/faasguard-rules/data/lambda-runtimes.json from an installed cfn-lint.

cfn-lint (PyPI, MIT-0) ships the AWS Lambda runtime lifecycle table as data in
cfnlint/data/AdditionalSpecs/LmbdRuntimeLifecycle.json. This script reads that file from the
cfn-lint installed in the running interpreter, checks its shape, and writes faasguard's copy
with a `source` block recording where it came from. Only facts (runtime names and dates) are
carried over.

Usage:
    /work/tools/venv/bin/python scripts/refresh-runtimes.py [--date YYYY-MM-DD] [--check]

--check exits 1 (and writes nothing) when the committed file differs from what would be
written, so CI can tell when the data is stale against the installed cfn-lint.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import pathlib
import re
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
OUT = REPO / "crates" / "faasguard-rules" / "data" / "lambda-runtimes.json"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FIELDS = ("deprecated", "create-block", "update-block", "successor")


def load_cfnlint_table() -> tuple[dict, str, str]:
    try:
        import cfnlint  # noqa: PLC0415 (imported late so the error message is ours)
    except ImportError:
        sys.exit("cfn-lint is not installed in this interpreter (pip install cfn-lint)")
    path = pathlib.Path(cfnlint.__file__).parent / "data" / "AdditionalSpecs" / "LmbdRuntimeLifecycle.json"
    version = importlib.metadata.version("cfn-lint")
    licence = importlib.metadata.metadata("cfn-lint").get("License-Expression") or "MIT-0"
    with path.open(encoding="utf-8") as fh:
        return json.load(fh), version, licence


def convert(table: dict) -> dict:
    runtimes = {}
    for name in sorted(table):
        entry = table[name]
        out = {}
        for field in FIELDS:
            value = entry.get(field)
            if field != "successor" and value is not None and not DATE.match(value):
                sys.exit(f"{name}.{field}: {value!r} is not a YYYY-MM-DD date")
            if field == "successor" and value is not None and value not in table:
                sys.exit(f"{name}.successor: {value!r} is not a known runtime")
            out[field] = value
        runtimes[name] = out
    return runtimes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", default=dt.date.today().isoformat(), help="retrieval date to record")
    parser.add_argument("--check", action="store_true", help="only compare with the committed file")
    args = parser.parse_args()

    table, version, licence = load_cfnlint_table()
    doc = {
        "source": {
            "package": "cfn-lint",
            "version": version,
            "file": "cfnlint/data/AdditionalSpecs/LmbdRuntimeLifecycle.json",
            "license": licence,
            "retrieved": args.date,
        },
        "runtimes": convert(table),
    }
    text = json.dumps(doc, indent=2, sort_keys=False) + "\n"

    if args.check:
        current = json.loads(OUT.read_text(encoding="utf-8")) if OUT.exists() else None
        if current is None or current["runtimes"] != doc["runtimes"]:
            print(f"{OUT.relative_to(REPO)} is stale against cfn-lint {version}", file=sys.stderr)
            return 1
        return 0

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)}: {len(doc['runtimes'])} runtimes from cfn-lint {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
