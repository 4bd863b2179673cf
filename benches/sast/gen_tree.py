#!/usr/bin/env python3
"""Build a large first-party tree for the SAST throughput run by replicating the labelled corpus.

Each copy `svc-NNNNN/<case>/…` is every corpus case with its local identifiers renamed (a suffix
per copy, applied the same way in a handler and its local helper, so imports still resolve), until
the code bytes reach --mb. No IaC is written by default (faasguard discovers handlers by shape);
--iac adds the corpus's SAM template to every copy.

--real DIR builds a tree of realistic file sizes instead: each service `svc-NNNNN/` holds one
renamed copy of the corpus (its handlers and helpers) and about 500 kB of real JavaScript and
Python taken from DIR (the installed npm packages and PyPI wheels of the secrets benchmark,
benches/secrets/build_corpus.sh), laid out as the service's own modules under `lib/` (no
`node_modules`/`site-packages` in their paths, so they count as first-party code).

    python3 benches/sast/gen_tree.py --out /var/tmp/faasguard-sast-bench/tree --mb 50
    python3 benches/sast/gen_tree.py --out /var/tmp/faasguard-sast-bench/tree-real --mb 50 \
        --real /var/tmp/faasguard-secrets-bench/corpus
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


REAL_PER_SERVICE = 500_000


def real_files(root):
    """Real code files under root (sorted), as (path under lib/, bytes): minified bundles,
    type declarations and files over 1 MB left out."""
    out = []
    for dirpath, dirs, names in os.walk(root):
        dirs.sort()
        for n in sorted(names):
            if not n.endswith(CODE_EXT) or n.endswith((".d.ts", ".min.js")):
                continue
            p = os.path.join(dirpath, n)
            if os.path.getsize(p) > 1_000_000:
                continue
            rel = os.path.relpath(p, root).split(os.sep)
            for marker in ("node_modules", "site-packages", "package"):
                if marker in rel:
                    i = len(rel) - 1 - rel[::-1].index(marker)
                    rel = rel[i + 1:]
                    break
            else:
                rel = rel[1:]
            if rel:
                with open(p, "rb") as fh:
                    out.append(("/".join(rel), fh.read()))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--mb", type=float, default=50.0)
    ap.add_argument("--iac", action="store_true")
    ap.add_argument("--real", help="directory of real code to mix in (see the module doc)")
    args = ap.parse_args()
    real = real_files(args.real) if args.real else []
    if args.real and not real:
        raise SystemExit(f"no code files under {args.real}")
    real_at = 0
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
        added = 0
        while real and added < REAL_PER_SERVICE and code_bytes < target:
            rel, data = real[real_at % len(real)]
            real_at += 1
            p = os.path.join(base, "lib", rel)
            if os.path.exists(p):
                continue
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as fh:
                fh.write(data)
            added += len(data)
            code_bytes += len(data)
            nfiles += 1
        copies += 1
    print(f"copies={copies} code_files={nfiles} code_bytes={code_bytes}")


if __name__ == "__main__":
    main()
