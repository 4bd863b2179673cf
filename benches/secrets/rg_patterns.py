#!/usr/bin/env python3
"""Write an ASCII ripgrep pattern set built from faasguard's rule regexes.

Each single-line rule's regex is taken as is (named groups made plain, Unicode off with `(?-u)`);
multi-line PEM rules contribute their first-line header (rg runs line by line). Pair rules have
no regex. The set is the throughput ceiling of "read every byte and run the rules' patterns":
no entropy, checksum, allowlist or keyword windows.

With `--keywords`, writes the rules' keywords instead (one literal a line, for `rg -F -i`):
the equivalent of faasguard's Aho-Corasick prefilter pass alone.

Usage: rg_patterns.py [--keywords] crates/faasguard-secrets/rules > patterns.txt
"""
import re
import sys
import tomllib
from pathlib import Path

def lit(s: str) -> str:
    """Escape a literal for the regex crate of ripgrep 13 (no `\\-` or `\\ ` escapes)."""
    return re.sub(r"([.+*?()\[\]{}|^$\\])", r"\\\1", s)


keywords = "--keywords" in sys.argv
out = []
for f in sorted(Path(sys.argv[-1]).glob("*.toml")):
    for rule in tomllib.loads(f.read_text())["rule"]:
        rx = rule.get("regex")
        if keywords:
            out.extend(k for k in rule.get("keywords", []) if k not in out)
            continue
        if not rx:
            continue
        if rule.get("multiline"):
            m = re.search(r"-----BEGIN [^-]*?-----", rx.replace("\\", ""))
            rx = lit(m.group(0)) if m else lit(rule["keywords"][0])
        rx = re.sub(r"\(\?P<[a-z_]+>", "(", rx)
        out.append("(?-u)" + rx)
print("\n".join(out))
