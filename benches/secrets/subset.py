#!/usr/bin/env python3
"""Build the subset the slow peers (detect-secrets, secretlint) are timed on.

The subset holds every first-party file (outside node_modules/ and site-packages/), every
dependency file that received a planted secret, and a seeded random sample of other dependency
text files (default 8 MB), so recall on planted secrets is measured in full while run time stays
bounded. Files are hard links into $OUT/subset with `node_modules` renamed `node_modules_`
(secretlint ignores node_modules with no override). `subset_files.txt` lists the original
relative paths (score.py uses it to compare false positives on the same files).

Usage: subset.py --corpus DIR --manifest planted.jsonl --out SUBSET_DIR --list subset_files.txt
"""
import argparse
import json
import os
import random
from pathlib import Path


def is_text(path: Path) -> bool:
    with path.open("rb") as fh:
        return b"\0" not in fh.read(8192)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--manifest", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--list", type=Path, required=True)
    ap.add_argument("--sample-mb", type=float, default=50.0)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    planted = {json.loads(line)["file"] for line in a.manifest.open()}
    first, deps = [], []
    for root, dirs, files in os.walk(a.corpus):
        dirs.sort()
        rel_root = os.path.relpath(root, a.corpus)
        for f in sorted(files):
            rel = os.path.normpath(os.path.join(rel_root, f)).replace(os.sep, "/")
            if os.path.islink(os.path.join(root, f)):
                continue  # node_modules/.bin links: their targets are scanned as files
            parts = rel.split("/")
            (deps if "node_modules" in parts or "site-packages" in parts else first).append(rel)
    chosen = set(first) | planted
    rng = random.Random(a.seed)
    pool = [r for r in deps if r not in chosen]
    rng.shuffle(pool)
    budget = a.sample_mb * 1e6
    for rel in pool:
        if budget <= 0:
            break
        p = a.corpus / rel
        size = p.stat().st_size
        if size > budget or size == 0 or not is_text(p):
            continue
        chosen.add(rel)
        budget -= size
    if a.out.exists():
        os.system(f"rm -rf '{a.out}'")
    total = 0
    for rel in sorted(chosen):
        dst = a.out / rel.replace("node_modules", "node_modules_")
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.link(a.corpus / rel, dst)
        total += dst.lstat().st_size
    a.list.write_text("\n".join(sorted(chosen)) + "\n")
    print(f"subset: {len(chosen)} files, {total / 1e6:.1f} MB ({len(first)} first-party, "
          f"{len(planted)} planted files)")


if __name__ == "__main__":
    main()
