#!/usr/bin/env python3
"""Score the side-by-side secrets benchmark (results written by run.sh).

Prints one table (tool, wall s, CPU s, MB/s, MB per CPU-s, peak MiB, planted found / planted,
other findings) and a recall-by-type table. A finding matches a planted secret when it is in the
same file and its line lies in the planted span (first pass), or within one line of it (second
pass); each finding matches at most one planted secret and each planted secret is counted once.
Findings on a planted span whose secrets are all matched already are duplicates, not "other".
"Other" counts distinct (file, line) locations. Never prints a secret: only file:line and rule.

  score.py --out $BENCH_OUT                 # the tables
  score.py --out $BENCH_OUT --sample TOOL N # N seeded random "other" findings of TOOL with a
                                            # 160-char excerpt of the line, for hand classification
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
from collections import defaultdict
from pathlib import Path

TOOLS = ["faasguard", "faasguard-all-paths", "kingfisher", "detect-secrets", "secretlint", "rg-regex", "rg-keywords"]
SUBSET_TOOLS = {"detect-secrets", "secretlint"}


def norm(path: str, roots: list[str]) -> str:
    path = path.replace("\\", "/")
    for r in roots:
        if path.startswith(r + "/"):
            path = path[len(r) + 1:]
            break
    path = path.removeprefix("./")
    return path.replace("node_modules_/", "node_modules/")


def default_allow_paths() -> list[re.Pattern]:
    src = (Path(__file__).resolve().parents[2] / "crates/faasguard-secrets/src/engine.rs").read_text()
    block = src.split("const DEFAULT_ALLOW_PATHS")[1].split("];")[0]
    return [re.compile(p) for p in re.findall(r'r"(.*?)",', block)]


def parse(tool: str, res: Path, roots: list[str]) -> list[tuple[str, int, str]] | None:
    """(file, line, rule) per finding, or None when the tool produced no report."""
    out = []
    if tool in ("faasguard", "faasguard-all-paths"):
        p = res / f"{tool}.out"
        if not p.exists():
            return None
        text = p.read_text(errors="replace")
        if text.lstrip().startswith("{"):
            for f in json.loads(text).get("findings", []):
                loc = f.get("location", {})
                out.append((norm(loc.get("file", ""), roots), int(loc.get("line") or 0), f.get("rule_id", ""), loc.get("column")))
        else:
            # The scan_dir example scans every file; the product applies the engine's default
            # path allowlist (DEFAULT_ALLOW_PATHS): apply it here, read from engine.rs.
            allow = default_allow_paths() if tool == "faasguard" else []
            for line in text.splitlines():
                m = re.match(r"^(.+?):(\d+):(\d+) (\S+) ", line)
                if m and not any(rx.search(norm(m.group(1), roots)) for rx in allow):
                    out.append((norm(m.group(1), roots), int(m.group(2)), m.group(4), int(m.group(3))))
        return out
    if tool == "kingfisher":
        p = res / "kingfisher.json"
        if not p.exists() or p.stat().st_size == 0:
            return None
        for f in json.loads(p.read_text()).get("findings", []):
            fi = f.get("finding", {})
            out.append((norm(fi.get("path", ""), roots), int(fi.get("line") or 0), f.get("rule", {}).get("id", ""), fi.get("column_start")))
        return out
    if tool.startswith("rg-"):
        for line in (res / f"{tool}.out").read_text(errors="replace").splitlines():
            m = re.match(r"^(.+?):(\d+):(?:(\d+):)?", line)
            if m:
                out.append((norm(m.group(1), roots), int(m.group(2)), tool, int(m.group(3)) if m.group(3) else None))
        return out
    if tool == "detect-secrets":
        text = (res / "detect-secrets.out").read_text(errors="replace")
        if not text.strip():
            return None
        for path, items in json.loads(text).get("results", {}).items():
            for it in items:
                out.append((norm(path, roots), int(it["line_number"]), it["type"]))
        return out
    if tool == "secretlint":
        p = res / "secretlint.json"
        if not p.exists() or p.stat().st_size == 0:
            return None
        for f in json.loads(p.read_text()):
            for m in f.get("messages", []):
                out.append((norm(f["filePath"], roots), int(m["loc"]["start"]["line"]), m.get("ruleId", ""), m["loc"]["start"].get("column")))
        return out
    raise ValueError(tool)


def match(findings, planted):
    """Returns (found planted ids, other findings list)."""
    by_file = defaultdict(list)
    for p in planted:
        by_file[p["file"]].append(p)
    found: set[int] = set()
    leftover = []
    touched = []
    for f in findings:
        cands = [p for p in by_file.get(f[0], []) if p["line"] <= f[1] <= p["end_line"]]
        free = [p for p in cands if p["id"] not in found]
        col = f[3] if len(f) > 3 else None
        if free and col is not None and all("column" in p for p in free):
            # secrets sharing one (minified) line: the planted value nearest the finding's column
            found.add(min(free, key=lambda p: abs(p["column"] - int(col)))["id"])
        elif free:
            found.add(min(free, key=lambda p: p["end_line"] - p["line"])["id"])
        elif cands:
            touched.append(f)
        else:
            leftover.append(f)
    other = []
    for f in leftover:
        cands = [p for p in by_file.get(f[0], []) if p["line"] - 1 <= f[1] <= p["end_line"] + 1]
        free = [p for p in cands if p["id"] not in found]
        if free:
            found.add(free[0]["id"])
        elif not cands:
            other.append(f)
    return found, other


def timing(res: Path, tool: str) -> dict:
    t = {"wall": None, "cpu": None, "rss": None}
    p = res / f"{tool}.time"
    if not p.exists():
        return t
    text = p.read_text()
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
    if m:
        parts = [float(x) for x in m.group(1).split(":")]
        t["wall"] = sum(v * 60 ** i for i, v in enumerate(reversed(parts)))
    u = re.search(r"User time \(seconds\): (\S+)", text)
    s = re.search(r"System time \(seconds\): (\S+)", text)
    if u and s:
        t["cpu"] = float(u.group(1)) + float(s.group(1))
    r = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if r:
        t["rss"] = int(r.group(1)) / 1024
    return t


def tree_bytes(root: Path) -> tuple[int, int]:
    total = files = 0
    for dirpath, _, names in os.walk(root):
        for n in names:
            total += os.lstat(os.path.join(dirpath, n)).st_size
            files += 1
    return total, files


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--sample", nargs=2, metavar=("TOOL", "N"))
    a = ap.parse_args()
    out = a.out.resolve()
    res = out / "results"
    corpus, subset = out / "corpus", out / "subset"
    roots = [str(corpus), str(subset), "corpus", "subset"]
    planted = [json.loads(line) for line in (out / "planted.jsonl").open()]
    subset_files = set((res / "subset_files.txt").read_text().split())
    rc = {t: (res / f"{t}.rc").read_text().strip() if (res / f"{t}.rc").exists() else "?" for t in TOOLS}

    results = {}
    for tool in TOOLS:
        try:
            fs = parse(tool, res, roots)
        except (OSError, ValueError, KeyError) as e:
            print(f"{tool}: cannot parse report ({e})")
            fs = None
        if fs is None:
            results[tool] = None
            continue
        found, other = match(fs, planted)
        results[tool] = (fs, found, other)

    if a.sample:
        tool, n = a.sample[0], int(a.sample[1])
        _, _, other = results[tool]
        locs = sorted({f[:3] for f in other})
        rng = random.Random(11)
        for f in sorted(rng.sample(locs, min(n, len(locs)))):
            base = subset if tool in SUBSET_TOOLS else corpus
            path = base / (f[0].replace("node_modules/", "node_modules_/") if tool in SUBSET_TOOLS else f[0])
            try:
                line = path.read_text(errors="replace").split("\n")[f[1] - 1]
            except (OSError, IndexError):
                line = "?"
            print(f"{f[0]}:{f[1]} [{f[2]}] {line.strip()[:160]}")
        return

    cbytes, cfiles = tree_bytes(corpus)
    sbytes, sfiles = tree_bytes(subset)
    print(f"corpus: {cfiles} files, {cbytes / 1e6:.1f} MB; subset (detect-secrets, secretlint): "
          f"{sfiles} files, {sbytes / 1e6:.1f} MB; planted: {len(planted)} "
          f"({sum(p['scope'] == 'dependency' for p in planted)} in dependency files), "
          f"{len({p['type'] for p in planted})} types")
    print()
    hdr = f"| tool | scope | wall s | CPU s | MB/s | MB/CPU-s | peak MiB | planted found | recall | other findings | other, subset files |"
    print(hdr)
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for tool in TOOLS:
        t = timing(res, tool)
        scope_bytes = sbytes if tool in SUBSET_TOOLS else cbytes
        scope = "subset" if tool in SUBSET_TOOLS else "corpus"
        timed_out = rc[tool] == "124"
        r = results[tool]
        fmt = lambda v, spec: "–" if v is None else format(v, spec)  # noqa: E731
        mbs = scope_bytes / 1e6 / t["wall"] if t["wall"] else None
        mbc = scope_bytes / 1e6 / t["cpu"] if t["cpu"] else None
        note = " (timed out, no report)" if timed_out and r is None else (" (no report)" if r is None else "")
        if r is None:
            print(f"| {tool}{note} | {scope} | {fmt(t['wall'], '.1f')} | {fmt(t['cpu'], '.1f')} | – | – | {fmt(t['rss'], '.0f')} | – | – | – | – |")
            continue
        fs, found, other = r
        locs = set((f[0], f[1]) for f in other)
        sub = {l for l in locs if l[0] in subset_files}
        print(f"| {tool} | {scope} | {fmt(t['wall'], '.1f')} | {fmt(t['cpu'], '.1f')} | {fmt(mbs, '.0f' if (mbs or 0) >= 10 else '.2f')} | "
              f"{fmt(mbc, '.0f' if (mbc or 0) >= 10 else '.2f')} | {fmt(t['rss'], '.0f')} | {len(found)} / {len(planted)} | "
              f"{100 * len(found) / len(planted):.1f}% | {len(locs)} | {len(sub)} |")
    print()
    # recall by type
    types = sorted({p["type"] for p in planted})
    tools = [t for t in TOOLS if results[t] is not None]
    print("| type | planted | " + " | ".join(tools) + " |")
    print("|---|---:|" + "---:|" * len(tools))
    for ty in types:
        ids = {p["id"] for p in planted if p["type"] == ty}
        cells = [f"{len(ids & results[t][1])}" for t in tools]
        print(f"| {ty} | {len(ids)} | " + " | ".join(cells) + " |")
    # recall by scope
    for scope in ("first-party", "dependency"):
        ids = {p["id"] for p in planted if p["scope"] == scope}
        cells = [f"{len(ids & results[t][1])}" for t in tools]
        print(f"| **{scope}** | {len(ids)} | " + " | ".join(cells) + " |")
    print()
    # misses (file:line and type only)
    for t in tools:
        miss = [p for p in planted if p["id"] not in results[t][1]]
        if t == "faasguard" or len(miss) <= 12:
            for p in miss:
                print(f"  {t} missed: {p['file']}:{p['line']} {p['type']} ({p['syntax']})")
    # other findings by rule
    print()
    for t in tools:
        by_rule: dict[str, int] = defaultdict(int)
        for f in {f[:3] for f in results[t][2]}:
            by_rule[f[2]] += 1
        top = sorted(by_rule.items(), key=lambda kv: -kv[1])[:8]
        print(f"  {t} other findings by rule: " + ", ".join(f"{k} {v}" for k, v in top))


if __name__ == "__main__":
    main()
