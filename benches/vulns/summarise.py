#!/usr/bin/env python3
"""Table and spot check for the vulnerable-dependencies benchmark (benches/vulns/run.sh).

Reads $OUT/results/*.{time,out,err,rc} and prints, in Markdown:
  1. one table: tool, what, wall s, CPU s, peak MiB, packages seen, vulnerable packages/findings,
     not checked, exit code;
  2. what each peer printed (its last stdout/stderr line);
  3. a correctness spot check: for pinned vulnerable packages of the corpus, the advisory ids
     faasguard reported next to the ids an independent evaluation of the advisory JSON gives
     (the OSV "Evaluation" algorithm, written here from the schema text, with `packaging` for
     PEP 440 and a plain SemVer compare for npm).
"""
import argparse
import json
import os
import re
import sys
from pathlib import Path

ROWS = [
    # name, tool, what
    ("faasguard-snapshot", "faasguard", "scan --scanners vuln, whole tree, bundled snapshot (8,483 real advisories)"),
    ("faasguard-200k", "faasguard", "scan --scanners vuln, whole tree, --db synthetic (>= 200,000 advisories)"),
    ("faasguard-python", "faasguard", "scan --scanners vuln, Python function only, bundled snapshot"),
    ("faasguard-pkgfiles", "faasguard", "reference: same tree holding only the package files (walk cost excluded), snapshot"),
    ("bench-match-200k", "faasguard-vulndb", "bench-match run: open + match of 10,000 packages, synthetic DB"),
    ("pip-audit-path", "pip-audit", "--path site-packages, PyPI service, no network (unshare -n)"),
    ("pip-audit-osv", "pip-audit", "-s osv --path site-packages, no network (unshare -n)"),
    ("pip-audit-proxy", "pip-audit", "--path site-packages, PyPI service, machine network (registry proxy only)"),
    ("pip-audit-req", "pip-audit", "-r site-packages.txt --no-deps --disable-pip, machine network (registry proxy only)"),
    ("safety-local", "safety", "2.3.5 check --db <safety-db 2021.7.17> -r site-packages.txt --output text, netless"),
    ("npm-audit-offline", "npm audit", "--offline --json on the Node function's lockfile, no network (unshare -n)"),
]

SPOT = [
    ("npm", "lodash", "4.17.15"), ("npm", "minimist", "1.2.0"), ("npm", "node-fetch", "2.6.0"),
    ("npm", "axios", "0.21.0"), ("npm", "node-fetch", "2.7.0"), ("npm", "protobufjs", "7.6.6"),
    ("npm", "express", "4.22.3"), ("npm", "jsonwebtoken", "8.5.1"), ("npm", "handlebars", "4.5.0"),
    ("PyPI", "django", "2.2"), ("PyPI", "jsonpickle", "1.4.1"), ("PyPI", "pyyaml", "5.3"),
    ("PyPI", "requests", "2.19.1"), ("PyPI", "urllib3", "1.24.1"), ("PyPI", "pillow", "8.1.0"),
]


def time_stats(path):
    t = path.read_text()
    def field(label):
        m = re.search(re.escape(label) + r":\s*(\S+)", t)
        return m.group(1) if m else None
    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    secs = 0.0
    for part in wall.split(":"):
        secs = secs * 60 + float(part)
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    rss = int(field("Maximum resident set size (kbytes)")) / 1024
    return secs, cpu, rss


def last_line(text):
    lines = [l.strip() for l in text.splitlines() if l.strip() and "Unknown user config" not in l]
    return lines[-1] if lines else ""


def faasguard_counts(out):
    rep = json.loads(out)
    pk = rep["packages"]
    vul = sum(1 for p in pk if p["status"] == "vulnerable")
    nc = sum(1 for p in pk if p["status"] == "not-checked")
    clean = sum(1 for p in pk if p["status"] == "clean")
    fnd = sum(1 for f in rep["findings"] if f["rule_id"] == "FG-DEP-001")
    return len(pk), f"{vul} / {fnd}", f"{nc} (clean {clean})", rep


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--advisories", required=True)
    a = ap.parse_args()
    res = Path(a.out) / "results"
    print("| tool | what | wall s | CPU s | peak MiB | packages seen | vulnerable pkgs / findings | not checked | exit |")
    print("|---|---|---:|---:|---:|---:|---:|---|---:|")
    printed = []
    fg_report = None
    extra = []
    for name, tool, what in ROWS:
        runs = sorted(res.glob(f"{name}@*.time")) or [res / f"{name}.time"]
        runs = [r for r in runs if r.exists()]
        if not runs:
            continue
        stats = sorted((time_stats(r), r) for r in runs)
        (wall, cpu, rss), tf = stats[len(stats) // 2]
        name_run = tf.name[: -len(".time")]
        walls = [s[0][0] for s in stats]
        wall_txt = f"{wall:.2f}" if len(walls) == 1 else f"{wall:.2f} ({walls[0]:.2f}–{walls[-1]:.2f})"
        name, real_name = name_run, name
        out = (res / f"{name}.out").read_text(errors="replace")
        err = (res / f"{name}.err").read_text(errors="replace")
        rc = (res / f"{name}.rc").read_text().strip()
        seen, vuln, nc = "—", "—", "—"
        if tool == "faasguard":
            seen, vuln, nc, rep = faasguard_counts(out)
            if name.startswith("faasguard-snapshot"):
                fg_report = rep
        elif name.startswith("bench-match"):
            m = re.search(r"tree (\d+) packages.*vulnerable (\d+) \((\d+) findings\).*clean (\d+) \| not checked (\d+)", out)
            t = re.search(r"open ([\d.]+) ms \| match ([\d.]+) ms \| open\+match ([\d.]+) ms", out)
            k = re.search(r"peak RSS (\d+) KB", out)
            if m:
                seen, vuln, nc = m.group(1), f"{m.group(2)} / {m.group(3)}", f"{m.group(5)} (clean {m.group(4)})"
            if t and k:
                extra.append(f"bench-match (in-process timers, median run): open {t.group(1)} ms + match {t.group(2)} ms = "
                             f"**{t.group(3)} ms**, peak RSS {int(k.group(1)) / 1024:.1f} MiB")
        elif tool == "pip-audit":
            try:
                rep = json.loads(out)
                deps = rep["dependencies"]
                skipped = sum(1 for d in deps if "skip_reason" in d)
                nv = sum(len(d.get("vulns", [])) for d in deps)
                nvp = sum(1 for d in deps if d.get("vulns"))
                seen, vuln, nc = str(len(deps)), f"{nvp} / {nv}", f"{skipped} skipped"
            except (json.JSONDecodeError, KeyError):
                seen, vuln, nc = "0", "—", "all (crashed)"
            printed.append((name, last_line(out) if not out.lstrip().startswith("{") else "(JSON on stdout)", last_line(err), rc))
        elif tool == "safety":
            m = re.search(r"Found and scanned (\d+) packages", out)
            v = re.findall(r"^-> Vulnerability found in (\S+) version (\S+)", out, re.M)
            if m:
                seen, vuln, nc = m.group(1), f"{len(set(v))} / {len(v)}", "not said"
            printed.append((name, last_line(out)[:120] + " … " + ("; ".join(l.strip() for l in out.splitlines() if "vulnerabilities found" in l)), last_line(err), rc))
        elif tool == "npm audit":
            try:
                rep = json.loads(out)
                md = rep["metadata"]
                seen = str(md["dependencies"]["total"])
                vuln = f"{len(rep['vulnerabilities'])} / {md['vulnerabilities']['total']}"
                nc = "not said"
            except (json.JSONDecodeError, KeyError):
                pass
            printed.append((name, last_line(out) if not out.lstrip().startswith("{") else "(JSON) " + out.replace("\n", " ")[:160], last_line(err), rc))
        name = real_name
        print(f"| {tool} | {what} | {wall_txt} | {cpu:.2f} | {rss:.0f} | {seen} | {vuln} | {nc} | {rc} |")
    print()
    for e in extra:
        print(e)
    print()
    print("What the peers printed (last line of stdout / stderr):")
    print()
    for name, o, e, rc in printed:
        print(f"* `{name}` exit {rc}: stdout `{o}`; stderr `{e[:220]}`")
    print()
    if fg_report is not None:
        spot_check(fg_report, Path(a.advisories))


# --- independent evaluation of the advisory JSON (spot check) ---

def pep503(n):
    return re.sub(r"[-_.]+", "-", n).lower()


def npm_key(v):
    # strict: a bound with trailing text ("7.2.4, 6.11.4") is unparsable, its event is skipped
    # "1.0" is read as 1.0.0 (GHSA records carry such bounds; faasguard pre-parses them the same way)
    m = re.fullmatch(r"v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?", v)
    if not m:
        return None
    pre = m.group(4)
    pre_key = (1,) if pre is None else (0,) + tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0), pre_key)


def make_key(eco):
    if eco == "PyPI":
        from packaging.version import Version, InvalidVersion
        def k(v):
            try:
                return Version(v)
            except InvalidVersion:
                return None
        return k
    return npm_key


def affected(adv, eco, name, version):
    key = make_key(eco)
    norm = pep503 if eco == "PyPI" else (lambda s: s)
    v = key(version)
    for aff in adv.get("affected", []):
        pkg = aff.get("package", {})
        if pkg.get("ecosystem") != eco or norm(pkg.get("name", "")) != norm(name):
            continue
        for listed in aff.get("versions", []) or []:
            lk = key(listed)
            if lk is not None and lk == v:
                return True
        for rng in aff.get("ranges", []) or []:
            if rng.get("type") not in ("ECOSYSTEM", "SEMVER"):
                continue
            evs = []
            for ev in rng.get("events", []):
                (kind, val), = ev.items()
                if kind == "limit":
                    continue
                ek = None if val == "0" else key(val)
                if ek is None and val != "0":
                    continue
                evs.append((ek, kind))
            # order: "0" first, then by version
            zero = [e for e in evs if e[0] is None]
            rest = sorted((e for e in evs if e[0] is not None), key=lambda e: e[0])
            state = False
            for ek, kind in zero + rest:
                if kind == "introduced" and (ek is None or ek <= v):
                    state = True
                elif kind == "fixed" and ek <= v:
                    state = False
                elif kind == "last_affected" and ek < v:
                    state = False
            if state:
                return True
    return False


_ALL = []


def all_advisories(adv_dir):
    """Every record of the folder (a GHSA record in one folder may name packages of several
    ecosystems, e.g. the libwebp advisory affects npm, PyPI and NuGet packages)."""
    if not _ALL:
        _ALL.extend(json.loads(f.read_text()) for f in sorted(adv_dir.glob("*/*.json")))
    return _ALL


def spot_check(rep, adv_dir):
    print("Correctness spot check (faasguard, bundled snapshot, against an independent evaluation of "
          "the advisory JSON in the advisory folder; withdrawn records skipped):")
    print()
    print("| package | faasguard ids (aliases folded) | independent evaluation | agree |")
    print("|---|---|---|---|")
    for eco, name, version in SPOT:
        norm = pep503 if eco == "PyPI" else (lambda s: s)
        fg_ids, fg_all = set(), set()
        for p in rep["packages"]:
            if p["ecosystem"] == eco and norm(p["name"]) == norm(name) and p["version"] == version:
                for adv in p.get("advisories", []):
                    fg_ids.add(adv["id"])
                    fg_all.add(adv["id"])
                    fg_all.update(adv.get("aliases", []))
        ind = set()
        for d in all_advisories(adv_dir):
            if d.get("withdrawn"):
                continue
            if affected(d, eco, name, version):
                ind.add(d["id"])
        missing = sorted(i for i in ind if i not in fg_all)
        extra = sorted(i for i in fg_ids if i not in ind)
        ok = "yes" if not missing and not extra else f"missing {missing} extra {extra}"
        print(f"| {eco} {name} {version} | {len(fg_ids)}: {', '.join(sorted(fg_ids))} | "
              f"{len(ind)}: {', '.join(sorted(ind))} | {ok} |")


if __name__ == "__main__":
    sys.exit(main())
