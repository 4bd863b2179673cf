#!/usr/bin/env python3
"""Score the SAST bench: each tool's findings against benches/sast/corpus/labels.json.

    python3 benches/sast/score.py --results /var/tmp/faasguard-sast-bench/results

Matching. A labelled sink is found (true positive) when a tool reports a finding whose rule maps to
the same kind (table below), in the same file, on a line within +-2 of the labelled sink line (a
tool that reports a line range matches when the sink line is inside the range widened by 2). Each
labelled sink counts once. A false positive is a reported (file, line, kind) that matches no
labelled sink (a finding of the wrong kind on a vulnerable line is a false positive, and the sink a
miss). Findings whose rule maps to no kind (bandit's import warnings, /tmp paths, njsscan's header
or crypto checks...) are outside this benchmark: counted apart, never scored.
Precision = TP / (TP + FP), recall = TP / labelled sinks, F1 their harmonic mean, per tool and
language; a tool is scored only on the languages it reads (njsscan: JavaScript/TypeScript,
bandit: Python).
"""
import argparse
import json
import os
import re
import sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
KINDS = ["command", "code_eval", "deserialization", "query", "file_path", "outbound_url", "xml_entities"]
TOLERANCE = 2

# Rule id -> kind. faasguard: FG-INJ-001..007 in SinkKind order.
FAASGUARD = {f"FG-INJ-00{i + 1}": k for i, k in enumerate(KINDS)}
# njsscan 1.0.x rule ids (its rules' `id:`), by the kind of sink they claim.
NJSSCAN = {
    "generic_os_command_exec": "command", "shelljs_os_command_exec": "command",
    "eval_nodejs": "code_eval", "eval_require": "code_eval", "vm_code_injection": "code_eval",
    "vm_compilefunction_injection": "code_eval", "vm_runincontext_injection": "code_eval",
    "vm_runinnewcontext_injection": "code_eval", "vm2_code_injection": "code_eval",
    "vm2_context_injection": "code_eval", "sandbox_code_injection": "code_eval",
    "node_deserialize": "deserialization", "yaml_deserialize": "deserialization",
    "serializetojs_deserialize": "deserialization",
    "node_sqli_injection": "query", "node_knex_sqli_injection": "query",
    "node_nosqli_injection": "query", "node_nosqli_js_injection": "query",
    "generic_path_traversal": "file_path", "express_lfr": "file_path",
    "express_lfr_warning": "file_path", "join_resolve_path_traversal": "file_path",
    "node_ssrf": "outbound_url", "phantom_ssrf": "outbound_url", "playwright_ssrf": "outbound_url",
    "puppeteer_ssrf": "outbound_url", "wkhtmltoimage_ssrf": "outbound_url",
    "wkhtmltopdf_ssrf": "outbound_url",
    "node_xxe": "xml_entities", "xxe_expat": "xml_entities", "xxe_sax": "xml_entities",
    "xxe_xml2json": "xml_entities", "node_entity_expansion": "xml_entities",
}
# bandit 1.9 test ids. Import-only warnings (B4xx: "import pickle", "import subprocess") and B607
# (partial executable path) are not sink claims and are left out; B603 (subprocess without a
# shell: "check for execution of untrusted input") is bandit's command claim for list arguments.
BANDIT = {
    "B602": "command", "B603": "command", "B604": "command", "B605": "command", "B606": "command",
    "B609": "command",
    "B307": "code_eval", "B102": "code_eval",
    "B301": "deserialization", "B302": "deserialization", "B506": "deserialization",
    "B608": "query", "B610": "query", "B611": "query",
    "B310": "outbound_url",
    **{f"B{n}": "xml_entities" for n in range(313, 321)},
}
# semgrep with benches/sast/semgrep-local.yml: the rule id ends with the kind.
SEMGREP_PREFIX = ("js.", "py.")

TOOLS = [  # name, languages it is scored on
    ("faasguard", ("js", "py")),
    ("semgrep-local", ("js", "py")),
    ("njsscan", ("js",)),
    ("bandit", ("py",)),
]


def lang_of(path):
    return "py" if path.endswith(".py") else "js"


def norm(path, corpus):
    path = path.replace("\\", "/")
    if os.path.isabs(path):
        path = os.path.relpath(path, corpus)
    path = re.sub(r"^(\./)+", "", path)
    marker = "benches/sast/corpus/"
    if marker in path:
        path = path.split(marker, 1)[1]
    return path


def load_findings(tool, res, corpus):
    """[(file, start, end, kind)], Counter of unmapped rule ids; None when the tool did not run."""
    out, unmapped = [], Counter()
    if tool == "faasguard":
        p = os.path.join(res, "faasguard.json")
        if not os.path.exists(p):
            return None, unmapped
        for f in json.load(open(p)).get("findings", []):
            kind = FAASGUARD.get(f["rule_id"])
            loc = f.get("location", {})
            if kind and loc.get("file") and loc.get("line"):
                out.append((norm(loc["file"], corpus), loc["line"], loc["line"], kind))
            elif not kind:
                unmapped[f["rule_id"]] += 1
    elif tool == "njsscan":
        p = os.path.join(res, "njsscan.json")
        if not os.path.exists(p):
            return None, unmapped
        data = json.load(open(p))
        for section in ("nodejs", "templates"):
            for rid, v in (data.get(section) or {}).items():
                for f in v.get("files", []):
                    kind = NJSSCAN.get(rid)
                    if kind is None:
                        unmapped[rid] += 1
                        continue
                    a, b = f["match_lines"]
                    out.append((norm(f["file_path"], corpus), a, b, kind))
    elif tool == "bandit":
        p = os.path.join(res, "bandit.json")
        if not os.path.exists(p):
            return None, unmapped
        for r in json.load(open(p)).get("results", []):
            kind = BANDIT.get(r["test_id"])
            if kind is None:
                unmapped[r["test_id"]] += 1
                continue
            lines = r.get("line_range") or [r["line_number"]]
            out.append((norm(r["filename"], corpus), min(lines), max(lines), kind))
    elif tool == "semgrep-local":
        p = os.path.join(res, "semgrep-local.json")
        if not os.path.exists(p):
            return None, unmapped
        for r in json.load(open(p)).get("results", []):
            rid = r["check_id"]
            tail = rid[rid.rfind(".", 0, rid.rfind(".")) + 1:]
            kind = tail.split(".", 1)[1] if tail.startswith(SEMGREP_PREFIX) else None
            if kind not in KINDS:
                unmapped[rid] += 1
                continue
            out.append((norm(r["path"], corpus), r["start"]["line"], r["end"]["line"], kind))
    return out, unmapped


def score(cases, findings, langs):
    sinks = [(e["file"], e["line"], e["kind"], c["id"]) for c in cases for e in c["expected"]
             if lang_of(e["file"]) in langs]
    found = set()
    fp = []
    seen = set()
    for f in findings:
        if lang_of(f[0]) not in langs:
            continue
        key = (f[0], f[1], f[2], f[3])
        if key in seen:
            continue
        seen.add(key)
        hit = [i for i, s in enumerate(sinks)
               if s[0] == f[0] and s[2] == f[3] and f[1] - TOLERANCE <= s[1] <= f[2] + TOLERANCE]
        if hit:
            found.update(hit)
        else:
            fp.append(f)
    return sinks, found, fp


def prf(tp, fp, total):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / total if total else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1


def gnu_time(res, tool):
    p = os.path.join(res, f"{tool}.time")
    if not os.path.exists(p):
        return None
    t = {}
    for line in open(p):
        line = line.strip()
        if line.startswith("Elapsed (wall clock)"):
            v = line.rsplit(" ", 1)[1].split(":")
            t["wall"] = sum(float(x) * 60 ** i for i, x in enumerate(reversed(v)))
        elif line.startswith("User time"):
            t["user"] = float(line.rsplit(" ", 1)[1])
        elif line.startswith("System time"):
            t["sys"] = float(line.rsplit(" ", 1)[1])
        elif line.startswith("Maximum resident"):
            t["rss"] = int(line.rsplit(" ", 1)[1]) / 1024
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--corpus", default=os.path.join(HERE, "corpus"))
    ap.add_argument("--details", action="store_true", help="list every miss and false positive")
    ap.add_argument("--set", choices=["tuning", "holdout", "holdout2"], help="score only the cases of this set")
    args = ap.parse_args()
    labels = json.load(open(os.path.join(args.corpus, "labels.json")))
    cases = labels["cases"]
    if args.set:
        cases = [c for c in cases if c.get("set") == args.set]
        print(f"set: {args.set} only")
    for c in cases:  # the labels must point at real lines
        for e in c["expected"]:
            lines = open(os.path.join(args.corpus, e["file"]), encoding="utf-8").read().split("\n")
            if not 1 <= e["line"] <= len(lines) or not lines[e["line"] - 1].strip():
                sys.exit(f"labels.json: {c['id']}: {e['file']}:{e['line']} is not a code line")

    n = Counter((("py" if c["language"] == "python" else "js"), bool(c["expected"])) for c in cases)
    sinks_by = Counter((lang_of(e["file"]), e["kind"]) for c in cases for e in c["expected"])
    print(f"corpus: {len(cases)} cases — JS/TS {n[('js', True)]} vulnerable + {n[('js', False)]} safe, "
          f"Python {n[('py', True)]} vulnerable + {n[('py', False)]} safe; "
          f"{sum(sinks_by.values())} labelled sinks\n")

    loaded = {}
    case_dirs = {c["id"] for c in cases}
    for tool, langs in TOOLS:
        found, unmapped = load_findings(tool, args.results, args.corpus)
        if found is not None:
            found = [f for f in found if f[0].split("/", 1)[0] in case_dirs]
        loaded[tool] = (found, unmapped)

    print("| tool | language | labelled sinks | TP | FP | FN | precision | recall | F1 | safe cases flagged | wall s | CPU s | peak MiB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    per_kind = defaultdict(dict)
    details = []
    notes = []
    for tool, langs in TOOLS:
        findings, unmapped = loaded[tool]
        t = gnu_time(args.results, tool)
        tcols = (f"{t['wall']:.2f} | {t['user'] + t['sys']:.2f} | {t['rss']:.0f}" if t and findings is not None
                 else "– | – | –")
        for lang in langs:
            lname = "JS/TS" if lang == "js" else "Python"
            if findings is None:
                print(f"| {tool} | {lname} | {sum(v for (l, _), v in sinks_by.items() if l == lang)} | – | – | – | not available | | | | {tcols} |")
                continue
            sinks, found, fp = score(cases, findings, (lang,))
            p, r, f1 = prf(len(found), len(fp), len(sinks))
            safe_ids = {c["id"] for c in cases if not c["expected"] and (lang_of(c["handler_file"]) == lang)}
            flagged = {f[0].split("/", 1)[0] for f in fp} & safe_ids
            print(f"| {tool} | {lname} | {len(sinks)} | {len(found)} | {len(fp)} | {len(sinks) - len(found)} | "
                  f"{p:.0%} | {r:.0%} | {f1:.2f} | {len(flagged)} / {len(safe_ids)} | {tcols} |")
            for k in KINDS:
                ks = [i for i, s in enumerate(sinks) if s[2] == k]
                kfp = sum(1 for f in fp if f[3] == k)
                per_kind[(lang, k)][tool] = (sum(1 for i in ks if i in found), len(ks), kfp)
            for i, s in enumerate(sinks):
                if i not in found:
                    details.append(f"{tool}: miss {s[2]} {s[0]}:{s[1]}")
            for f in fp:
                details.append(f"{tool}: false positive {f[3]} {f[0]}:{f[1]}" + (f"-{f[2]}" if f[2] != f[1] else ""))
        if findings is not None and unmapped:
            notes.append(f"{tool}: findings outside the seven kinds (not scored): "
                         + ", ".join(f"{k} x{v}" for k, v in sorted(unmapped.items())))
        if tool == "njsscan" and findings is not None:
            # njsscan reads only `.js` files (settings.NODEJS_FILE_EXTENSIONS): its score on those alone
            js_cases = [c for c in cases if c["handler_file"].endswith(".js")]
            sinks, found, fp = score(js_cases, [f for f in findings if f[0].endswith(".js")], ("js",))
            sinks = [s for s in sinks if s[0].endswith(".js")]
            p, r, f1 = prf(len(found), len(fp), len(sinks))
            notes.append(f"njsscan on `.js` files only (it skips .mjs/.ts): {len(found)}/{len(sinks)} sinks, "
                         f"{len(fp)} FP, precision {p:.0%}, recall {r:.0%}, F1 {f1:.2f}")
    for note in notes:
        print(f"\n{note}")

    print("\nPer kind: found / labelled sinks, then false positives of that kind (+FP).\n")
    cols = [t for t, _ in TOOLS]
    print("| language | kind | sinks | safe look-alikes | " + " | ".join(cols) + " |")
    print("|---|---|---:|---:|" + "---:|" * len(cols))
    lookalike = Counter()
    for c in cases:
        if not c["expected"]:
            lookalike[("py" if c["language"] == "python" else "js", c.get("imitates", "?"))] += 1
    for lang in ("js", "py"):
        for k in KINDS:
            row = []
            for t, langs in TOOLS:
                v = per_kind[(lang, k)].get(t)
                row.append("–" if v is None else f"{v[0]}/{v[1]}" + (f" +{v[2]}" if v[2] else ""))
            print(f"| {'JS/TS' if lang == 'js' else 'Python'} | {k} | {sinks_by[(lang, k)]} | {lookalike[(lang, k)]} | "
                  + " | ".join(row) + " |")
    tree = os.path.join(args.results, "tree.txt")
    if os.path.exists(tree) and not args.set:
        trees = {}
        for line in open(tree):
            name, _, rest = line.partition(" ")
            if name in ("tree", "tree-real"):
                trees[name] = dict(kv.split("=", 1) for kv in rest.split())
        expected_per_copy = sum(len(c["expected"]) for c in cases)
        print("\nThroughput trees (gen_tree.py): tree = copies of the corpus only (every file a handler or "
              "its helper, ~340 bytes each, about one file per directory: the worst case for per-file "
              "cost); tree-real = one corpus copy per service plus ~500 kB of real npm/PyPI code laid out "
              "as the service's own modules. *-iac = the same tree with the corpus's SAM template in every "
              "copy (handlers named by IaC); the others discover handlers by shape. Complete result: every "
              "labelled sink in every copy.\n")
        for name, info in trees.items():
            mb = int(info["code_bytes"]) / 1e6
            print(f"* {name}: {info['copies']} copies, {info['code_files']} code files, {mb:.1f} MB of code; "
                  f"complete result {int(info['copies']) * expected_per_copy} findings")
        print("\n| tool | tree | wall s | CPU s | MB/s (wall) | MB per CPU-s | peak MiB | findings |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        runs = [("faasguard", "tree-iac", "tree-iac-faasguard", "tree"),
                ("faasguard", "tree", "tree-faasguard", "tree"),
                ("faasguard", "tree-real-iac", "tree-real-iac-faasguard", "tree-real"),
                ("faasguard", "tree-real", "tree-real-faasguard", "tree-real"),
                ("semgrep-local", "tree", "tree-semgrep-local", "tree"),
                ("bandit", "tree (Python half)", "tree-bandit", "tree")]
        for tool, label, run, base in runs:
            t = gnu_time(args.results, run)
            if t is None or "user" not in t or base not in trees:
                print(f"| {tool} | {label} | not run | | | | | |")
                continue
            mb = int(trees[base]["code_bytes"]) / 1e6
            n = "?"
            rp = os.path.join(args.results, f"{run}.json")
            if os.path.exists(rp):
                d = json.load(open(rp))
                n = len(d.get("findings", d.get("results", [])))
            cpu = t["user"] + t["sys"]
            print(f"| {tool} | {label} | {t['wall']:.2f} | {cpu:.2f} | {mb / t['wall']:.1f} | {mb / cpu:.1f} | {t['rss']:.0f} | {n} |")
    if args.details:
        print()
        for d in details:
            print(d)



if __name__ == "__main__":
    main()
