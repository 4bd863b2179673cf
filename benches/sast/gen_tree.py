#!/usr/bin/env python3
"""Build a large first-party tree for the SAST throughput run by replicating the labelled corpus.

Each copy `svc-NNNNN/<case>/…` is every corpus case with its local identifiers renamed (a suffix
per copy, applied the same way in a handler and its local helper, so imports still resolve), until
the code bytes reach --mb. No IaC is written by default (faasguard discovers handlers by shape);
--iac adds the corpus's SAM template to every copy.

    python3 benches/sast/gen_tree.py --out /var/tmp/faasguard-sast-bench/tree --mb 50
"""
import argparse
import os
import re
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
CODE_EXT = (".js", ".mjs", ".cjs", ".ts", ".py")

# Local variables, parameters and helper functions of the corpus. Not renamed: module names,
# destructured property names, exported handler names, anything after a '.' or inside quotes.
NAMES = """key cmd sql record job msg message payload params q target callback callbackUrl source
parsed rows doc raw session config content localPath local archive spec state obj steps results
output host domain expression value result predicate rule items image bytes sizes alert total users
notes found orderId user_id term cur conn cursor requester template report requested safeName
safeNameB subject mail src dst status code proc seconds limit offset blob restored snapshots cart
entry titles counts h xml done uptime device scope script condition settings names run notify
download runShell saveExport insertAudit load_blob run_command record_payment save_order
TitleHandler ALLOWED_HOSTS TEMPLATES FORMATS REPORTS FORMULA MODEL PARSER OPTIONS API_BASE
SLACK_URL ALERT_URL EXPORT_DIR multiply sandbox deviceId html lines""".split()
PATTERN = re.compile(r"(?<![.\w'\"$])(" + "|".join(sorted(NAMES, key=len, reverse=True)) + r")\b(?!['\"])")
OBJECT_KEY_BEFORE = re.compile(r"(^|[{,(])\s*$")


def rename(text, suffix, is_python):
    def sub(m):
        if not is_python:
            after = text[m.end():m.end() + 3].lstrip(" ")
            line_start = text.rfind("\n", 0, m.start()) + 1
            if after.startswith(":") and not after.startswith("::") and OBJECT_KEY_BEFORE.search(text[line_start:m.start()]):
                return m.group(1)  # an object key or an interface member: a property name, not a variable
        return m.group(1) + suffix

    return PATTERN.sub(sub, text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--mb", type=float, default=50.0)
    ap.add_argument("--iac", action="store_true")
    args = ap.parse_args()
    files = []
    for dirpath, _, names in os.walk(CORPUS):
        for n in names:
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, CORPUS)
            if "/" in rel and (n.endswith(CODE_EXT) or n == "package.json"):
                files.append((rel, open(p, encoding="utf-8").read()))
    files.sort()
    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(args.out)
    target = int(args.mb * 1_000_000)
    code_bytes = copies = nfiles = 0
    while code_bytes < target:
        suffix = f"_{copies}"
        base = os.path.join(args.out, f"svc-{copies:05d}")
        for rel, text in files:
            renamed = rename(text, suffix, rel.endswith(".py")) if rel.endswith(CODE_EXT) else text
            p = os.path.join(base, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w", encoding="utf-8") as fh:
                fh.write(renamed)
            if rel.endswith(CODE_EXT):
                code_bytes += len(renamed.encode())
                nfiles += 1
        if args.iac:
            shutil.copy(os.path.join(CORPUS, "template.yaml"), os.path.join(base, "template.yaml"))
        copies += 1
    print(f"copies={copies} code_files={nfiles} code_bytes={code_bytes}")


if __name__ == "__main__":
    main()
