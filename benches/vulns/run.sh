#!/usr/bin/env bash
# Side-by-side vulnerable-dependencies benchmark, ONE run, every tool under /usr/bin/time -v:
#   faasguard scan --scanners vuln on the whole tree (bundled snapshot, then a >= 200,000-advisory
#   synthetic database), on the Python function alone, the matching micro-benchmark (bench-match
#   run: open + match of 10,000 packages), pip-audit on the site-packages (three ways) and
#   npm audit --offline on the Node function; the peers in a loopback-only network namespace
#   (unshare -n, needs root). Then summarise.py prints the table and the spot check.
#
#   BENCH_OUT=/var/tmp/faasguard-vulns-bench benches/vulns/run.sh
#
# Env: SYNTH_ADVISORIES (records given to bench-match build, default 201200: the withdrawn copies
# are dropped at import, leaving >= 200,000), MATCH_PACKAGES (10000), MATCH_HIT_PERCENT (20),
# REPEAT (3: runs of each faasguard row; the table shows the median run and the wall range).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="${BENCH_OUT:-/var/tmp/faasguard-vulns-bench}"
TREE="$OUT/tree"
SP="$TREE/etl-job/package/python/lib/python3.8/site-packages"
RES="$OUT/results"
TOOLS="$OUT/tools"
ADVISORIES="${ADVISORIES:-$REPO/../shared/advisories}"
BIGDB="$OUT/db/synthetic.fgdb"
SYNTH_ADVISORIES="${SYNTH_ADVISORIES:-201200}"
MATCH_PACKAGES="${MATCH_PACKAGES:-10000}"
MATCH_HIT_PERCENT="${MATCH_HIT_PERCENT:-20}"
REPEAT="${REPEAT:-3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/faasguard-bench-target}"
[[ -d "$SP" && -s "$OUT/site-packages.txt" ]] || { echo "run build_corpus.sh first" >&2; exit 2; }
mkdir -p "$RES" "$TOOLS" "$OUT/db"
rm -f "$RES"/*

# --- tools ---
if [[ ! -x "$TOOLS/pa-venv/bin/pip-audit" ]]; then
  python3 -m venv "$TOOLS/pa-venv" && "$TOOLS/pa-venv/bin/pip" install -q pip-audit==2.10.1
fi
# safety 2.x can read a local database: the last free safety-db release (2021-07, CC BY-NC 4.0,
# from PyPI) is the only offline-capable peer found on the registries
if [[ ! -x "$TOOLS/sf-venv/bin/safety" ]]; then
  python3 -m venv "$TOOLS/sf-venv" && "$TOOLS/sf-venv/bin/pip" install -q safety==2.3.5 safety-db==2021.7.17
fi
SAFETY_DB="$("$TOOLS/sf-venv/bin/python" -c 'import importlib.util, os; print(os.path.dirname(importlib.util.find_spec("safety_db").origin))')"
if [[ -z "${SKIP_BUILD:-}" ]]; then  # SKIP_BUILD=1: use the binaries already in $CARGO_TARGET_DIR
  (cd "$REPO" && cargo build --release -q -p faasguard-cli --bin faasguard \
    && cargo build --release -q -p faasguard-vulndb --example bench-match)
fi
FG="$CARGO_TARGET_DIR/release/faasguard"
BM="$CARGO_TARGET_DIR/release/examples/bench-match"
if [[ ! -s "$BIGDB" ]]; then
  "$BM" build "$ADVISORIES" "$BIGDB" "$SYNTH_ADVISORIES" | tee "$RES/synthetic-build.txt"
fi
"$FG" db status --db "$BIGDB" > "$RES/synthetic-status.txt"
"$FG" db status > "$RES/snapshot-status.txt" 2>&1 || true

# npm audit needs a lockfile: a copy of the Node function's manifest + the lockfile npm wrote
NPMA="$OUT/npm-audit"; rm -rf "$NPMA"; mkdir -p "$NPMA"
cp "$TREE/orders-api/package.json" "$NPMA/"; cp "$OUT/orders-api.package-lock.json" "$NPMA/package-lock.json"

# reference tree: the same directories holding only the files faasguard reads packages from
# (hard links), to separate the cost of walking and sniffing every file from parsing + matching
PKGONLY="$OUT/tree-package-files"; rm -rf "$PKGONLY"; cp -al "$TREE" "$PKGONLY"
find "$PKGONLY" -type f ! -name package.json ! -name pom.xml ! -name '*.jar' ! -name '*.zip' ! -name '*.whl' \
  ! -name '*.egg' ! -path '*.dist-info/*' ! -path '*.egg-info/*' ! -name PKG-INFO -delete
echo "package-files-only tree: $(find "$PKGONLY" -type f | wc -l) files (whole tree: $(find "$TREE" -type f | wc -l))" | tee "$RES/trees.txt"

# warm the page cache so every tool reads from memory
find "$TREE" -type f -print0 | xargs -0 cat > /dev/null

timed() { # name, command...
  local name="$1"; shift
  echo "== $name: $*" | tee -a "$RES/commands.txt"
  local rc=0
  /usr/bin/time -v -o "$RES/$name.time" "$@" > "$RES/$name.out" 2> "$RES/$name.err" || rc=$?
  echo "$rc" > "$RES/$name.rc"
  grep -E "Elapsed|Maximum resident" "$RES/$name.time" | sed 's/^\s*/   /'
}
NETLESS=(unshare -n sh -c 'ip link set lo up; exec "$0" "$@"')
PA="$TOOLS/pa-venv/bin/pip-audit"

uptime | tee "$RES/load.txt"
for i in $(seq 1 "$REPEAT"); do
  timed "faasguard-snapshot@$i" "$FG" scan --scanners vuln --format json --fail-on none "$TREE"
  timed "faasguard-200k@$i" "$FG" scan --scanners vuln --format json --fail-on none --db "$BIGDB" "$TREE"
  timed "faasguard-python@$i" "$FG" scan --scanners vuln --format json --fail-on none "$TREE/etl-job"
  timed "faasguard-pkgfiles@$i" "$FG" scan --scanners vuln --format json --fail-on none "$PKGONLY"
  timed "bench-match-200k@$i" "$BM" run "$BIGDB" "$MATCH_PACKAGES" "$MATCH_HIT_PERCENT"
done
timed pip-audit-path "${NETLESS[@]}" "$PA" --path "$SP" --format json --progress-spinner off --cache-dir "$OUT/pa-cache"
timed pip-audit-osv "${NETLESS[@]}" "$PA" -s osv --path "$SP" --format json --progress-spinner off --cache-dir "$OUT/pa-cache"
# the machine's own network reaches only the package registries (through a proxy): the PyPI
# JSON API pip-audit's default service asks is answered 404 there, i.e. the service is unreachable
timed pip-audit-proxy "$PA" --path "$SP" --format json --progress-spinner off --cache-dir "$OUT/pa-cache"
timed pip-audit-req "$PA" -r "$OUT/site-packages.txt" --no-deps --disable-pip --format json --progress-spinner off --cache-dir "$OUT/pa-cache"
# --output text: safety 2.3.5's --json output crashes when the database is local (it builds an
# advisory URL from None); the text report carries the counts
timed safety-local "${NETLESS[@]}" "$TOOLS/sf-venv/bin/safety" check --db "$SAFETY_DB" -r "$OUT/site-packages.txt" --output text
timed npm-audit-offline "${NETLESS[@]}" sh -c 'cd "$0" && exec npm audit --offline --json' "$NPMA"
uptime | tee -a "$RES/load.txt"

{ "$PA" --version; "$TOOLS/sf-venv/bin/safety" --version; echo "npm $(npm --version)"; echo "faasguard $(git -C "$REPO" rev-parse --short HEAD) (working tree)";
  nproc | sed 's/^/cores: /'; } > "$RES/versions.txt"
"$TOOLS/pa-venv/bin/python" "$HERE/summarise.py" --out "$OUT" --advisories "$ADVISORIES" | tee "$RES/summary.md"
