#!/usr/bin/env python3
"""Summarise a benches/run.sh run: timing table, findings per rule, and checkov-equivalence per check.

    python3 benches/summarize.py OUT_DIR FUNCTIONS RUNS

Every function in the generated tree has its index in its name (Fn12, fn12, aws_lambda_function.f12,
data.aws_iam_policy_document.p12_0 …), so a checkov result and a faasguard finding can be matched per
function: a checkov check counts as matched on a function when faasguard reports one of the rules that
benches/checkov-map.json lists for that check on the same function.
"""
import collections
import json
import os
import re
import statistics
import sys

out, functions, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
here = os.path.dirname(os.path.abspath(__file__))
mapping = json.load(open(os.path.join(here, "checkov-map.json")))

times = collections.defaultdict(list)
for line in open(os.path.join(out, "times.tsv")):
    name, run, wall, rss, rc = line.rstrip("\n").split("\t")
    times[name].append((float(wall), int(rss), int(rc)))

print(f"\n## Scan of {functions} functions ({runs} runs each, median)\n")
print("| tool | wall time (s) | peak memory (MiB) | exit codes |")
print("|---|---:|---:|---|")
med = {}
for name in ("faasguard", "checkov"):
    walls = [w for w, _, _ in times[name]]
    rsss = [r for _, r, _ in times[name]]
    med[name] = (statistics.median(walls), statistics.median(rsss) / 1024)
    codes = ",".join(str(c) for _, _, c in times[name])
    print(f"| {name} | {med[name][0]:.2f} | {med[name][1]:.0f} | {codes} |")
if med["faasguard"][0] > 0:
    print(f"\nfaasguard is {med['checkov'][0] / med['faasguard'][0]:.0f}x faster and uses "
          f"{med['checkov'][1] / max(med['faasguard'][1], 1):.0f}x less memory.")

fg = json.load(open(os.path.join(out, "faasguard.json")))
fg_by_fn = collections.defaultdict(set)
fg_counts = collections.Counter()
idx_re = re.compile(r"[A-Za-z_]+?(\d+)")


def index_of(name):
    m = idx_re.search(name)
    return int(m.group(1)) if m else None


for f in fg["findings"]:
    fg_counts[(f["rule_id"], f["rule_name"])] += 1
    logical = (f.get("function") or "").split("#", 1)[-1]
    logical = logical.split(".", 1)[-1]
    i = index_of(logical)
    if i is not None:
        fg_by_fn[i].add(f["rule_name"])
def fmt_of(path):
    return path.split("/", 1)[0] if "/" in path else "?"


by_fmt = collections.Counter()
for f in fg["findings"]:
    by_fmt[(f["rule_id"], f["rule_name"], fmt_of(f["location"]["file"]))] += 1
print(f"\n## faasguard findings per rule ({len(fg['findings'])} findings, {len(fg['functions'])} functions, "
      f"{len(fg['diagnostics'])} diagnostics)\n")
fmts = ["sam", "serverless", "terraform"]
print("| rule | name | findings | " + " | ".join(fmts) + " |")
print("|---|---|---:|" + "---:|" * len(fmts))
for (rid, rname), n in sorted(fg_counts.items()):
    per = " | ".join(str(by_fmt[(rid, rname, x)]) for x in fmts)
    print(f"| {rid} | {rname} | {n} | {per} |")

ck_path = os.path.join(out, "checkov", "results_json.json")
ck = json.load(open(ck_path))
if isinstance(ck, dict):
    ck = [ck]
rows = collections.defaultdict(lambda: [0, 0, ""])  # check -> [failed, matched, name]
for fw in ck:
    for r in fw["results"]["failed_checks"]:
        cid = r["check_id"]
        key = (fw["check_type"], cid)
        rows[key][0] += 1
        rows[key][2] = r["check_name"]
        entry = mapping.get(cid)
        i = index_of(r["resource"].split(".", 1)[-1])
        if entry and entry.get("rules") and i is not None and fg_by_fn[i] & set(entry["rules"]):
            rows[key][1] += 1

print("\n(sam = SAM templates, scanned by checkov's cloudformation framework; serverless = serverless.yml; "
      "terraform = Terraform modules)")
print("\n## checkov failed checks and faasguard equivalents on the same function\n")
print("| framework | checkov check | failed | faasguard rule(s) | matched | note |")
print("|---|---|---:|---|---:|---|")
unexplained = 0
for (fw, cid), (failed, matched, name) in sorted(rows.items()):
    entry = mapping.get(cid, {})
    rules = ", ".join(entry.get("rules", [])) or "—"
    note = entry.get("reason", "")
    if matched < failed and not note:
        unexplained += failed - matched
        note = "**unmatched, no written reason**"
    print(f"| {fw} | {cid} {name[:60]} | {failed} | {rules} | {matched} | {note} |")
print(f"\nchecks failed by checkov without a faasguard equivalent or a written reason: {unexplained}")
