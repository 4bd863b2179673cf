#!/usr/bin/env bash
# Side-by-side secrets benchmark: faasguard, Kingfisher, detect-secrets, secretlint and ripgrep on
# the corpus built by build_corpus.sh, one after the other in ONE run, each under /usr/bin/time -v.
# Then score.py prints the table. Peers that can reach the network run in a loopback-only network
# namespace (unshare -n; needs root).
#
#   BENCH_OUT=/var/tmp/faasguard-secrets-bench benches/secrets/run.sh
#
# Env: DS_TIMEOUT / SL_TIMEOUT (s, default 900) bound detect-secrets / secretlint, which run on
# the subset built by subset.py (all first-party files + every planted dependency file + a 50 MB
# seeded sample of other dependency files). FG_MODE=cli|example forces how faasguard is run
# (default: the CLI once a commit "scan: secrets…" is in git log, else the scan_dir example).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="${BENCH_OUT:-/var/tmp/faasguard-secrets-bench}"
CORPUS="$OUT/corpus"
SUBSET="$OUT/subset"
RES="$OUT/results"
TOOLS="$OUT/tools"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/faasguard-bench-target}"
DS_TIMEOUT="${DS_TIMEOUT:-900}"
SL_TIMEOUT="${SL_TIMEOUT:-900}"
[[ -d "$CORPUS" && -s "$OUT/planted.jsonl" ]] || { echo "run build_corpus.sh first" >&2; exit 2; }
mkdir -p "$RES" "$TOOLS"
rm -f "$RES"/*

# --- tools (installed once, from the registries) ---
if [[ ! -x "$TOOLS/kf-venv/bin/kingfisher" ]]; then
  python3 -m venv "$TOOLS/kf-venv" && "$TOOLS/kf-venv/bin/pip" install -q kingfisher-bin==2.14.0
fi
DS="${DETECT_SECRETS:-/work/tools/venv/bin/detect-secrets}"
if [[ ! -x "$DS" ]]; then
  python3 -m venv "$TOOLS/ds-venv" && "$TOOLS/ds-venv/bin/pip" install -q detect-secrets==1.5.0
  DS="$TOOLS/ds-venv/bin/detect-secrets"
fi
if [[ ! -x "$TOOLS/secretlint/node_modules/.bin/secretlint" ]]; then
  mkdir -p "$TOOLS/secretlint"
  (cd "$TOOLS/secretlint" && echo '{"name":"sl","private":true}' > package.json \
    && npm install --no-audit --no-fund secretlint@11.7.1 @secretlint/secretlint-rule-preset-recommend@11.7.1 >/dev/null)
fi
command -v rg >/dev/null || apt-get install -y ripgrep >/dev/null

FG_MODE="${FG_MODE:-}"
if [[ -z "$FG_MODE" ]]; then
  if [[ -n "$(git -C "$REPO" log --format=%h --grep='^scan: secrets' -n 1)" ]]; then FG_MODE=cli; else FG_MODE=example; fi
fi
if [[ "$FG_MODE" == cli ]]; then
  (cd "$REPO" && cargo build --release -q -p faasguard-cli)
  FG=("$CARGO_TARGET_DIR/release/faasguard" scan --format json --fail-on none --select FG-SEC "$CORPUS")
else
  (cd "$REPO" && cargo build --release -q -p faasguard-secrets --example scan_dir)
  FG=("$CARGO_TARGET_DIR/release/examples/scan_dir" "$CORPUS" --show)
fi

(cd "$REPO" && cargo build --release -q -p faasguard-secrets --example scan_dir)

python3 "$HERE/subset.py" --corpus "$CORPUS" --manifest "$OUT/planted.jsonl" --out "$SUBSET" --list "$RES/subset_files.txt" | tee "$RES/subset.txt"
python3 "$HERE/rg_patterns.py" "$REPO/crates/faasguard-secrets/rules" > "$RES/rg-patterns.txt"
python3 "$HERE/rg_patterns.py" --keywords "$REPO/crates/faasguard-secrets/rules" > "$RES/rg-keywords.txt"
printf '{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}\n' > "$RES/secretlintrc.json"
: > "$RES/secretlintignore"

# warm the page cache so every tool reads from memory
find "$CORPUS" "$SUBSET" -type f -print0 | xargs -0 cat > /dev/null
# Kingfisher compiles its rule database on first use and caches it: compile it before timing.
unshare -n sh -c "ip link set lo up; exec '$TOOLS/kf-venv/bin/kingfisher' scan '$OUT/planted.jsonl' -n --no-update-check -q --format json" > /dev/null 2>&1 || true

timed() { # name, command...
  local name="$1"; shift
  echo "== $name: $*" | tee -a "$RES/commands.txt"
  local rc=0
  /usr/bin/time -v -o "$RES/$name.time" "$@" > "$RES/$name.out" 2> "$RES/$name.err" || rc=$?
  echo "$rc" > "$RES/$name.rc"
  grep -E "Elapsed|Maximum resident" "$RES/$name.time" | sed 's/^\s*/   /'
}
NETLESS=(unshare -n sh -c 'ip link set lo up; exec "$0" "$@"')

echo "faasguard mode: $FG_MODE" | tee "$RES/commands.txt"
timed faasguard "${FG[@]}"
# the same engine with no path allowlist (scan_dir example: every file, one thread), to show what
# the default path allowlist (tests, fixtures, .d.ts, SDK example documents, dependency docs) hides
timed faasguard-all-paths "$CARGO_TARGET_DIR/release/examples/scan_dir" "$CORPUS" --show
timed kingfisher "${NETLESS[@]}" "$TOOLS/kf-venv/bin/kingfisher" scan "$CORPUS" -n --no-update-check \
  --no-dedup --git-history none -q --format json --output "$RES/kingfisher.json"
timed rg-regex rg -n --column --no-heading -o -r '' --no-ignore --hidden -f "$RES/rg-patterns.txt" "$CORPUS"
timed rg-keywords rg -n --column --no-heading -o -r '' --no-ignore --hidden -F -i -f "$RES/rg-keywords.txt" "$CORPUS"
timed detect-secrets "${NETLESS[@]}" timeout "$DS_TIMEOUT" sh -c 'cd "$0" && exec "$1" scan --all-files -n .' "$SUBSET" "$DS"
timed secretlint "${NETLESS[@]}" timeout "$SL_TIMEOUT" sh -c 'cd "$0" && exec "$1" "**/*" "**/.*" --format json --no-color --secretlintrc "$2" --secretlintignore "$3" --output "$4"' \
  "$SUBSET" "$TOOLS/secretlint/node_modules/.bin/secretlint" "$RES/secretlintrc.json" "$RES/secretlintignore" "$RES/secretlint.json"

{ "$DS" --version | sed 's/^/detect-secrets /'; "$TOOLS/kf-venv/bin/kingfisher" --version; rg --version | head -1;
  echo "secretlint $("$TOOLS/secretlint/node_modules/.bin/secretlint" --version)"; echo "faasguard $(git -C "$REPO" rev-parse --short HEAD) ($FG_MODE)";
  nproc | sed 's/^/cores: /'; } > "$RES/versions.txt"
python3 "$HERE/score.py" --out "$OUT" | tee "$RES/score.txt"
