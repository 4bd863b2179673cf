#!/usr/bin/env bash
# Side-by-side event-data injection benchmark: faasguard, semgrep (with the local rules file
# semgrep-local.yml), njsscan (JavaScript) and bandit (Python) on the labelled corpus
# benches/sast/corpus, one after the other in ONE run, each under /usr/bin/time -v; then score.py
# prints precision/recall/F1 per tool and language, per kind, and time. Then a throughput run:
# faasguard with one job on a ~50 MB first-party tree made by gen_tree.py.
#
#   benches/sast/run.sh
#
# Env: BENCH_OUT (default /var/tmp/faasguard-sast-bench): venvs, results, tree.
#      FAASGUARD_BIN: use this binary instead of building faasguard-cli in release into
#      CARGO_TARGET_DIR (default /var/tmp/faasguard-bench-target).
#      TREE_MB (default 50): size of the throughput trees' code; TREE_MB=0 skips the throughput runs.
#      SECRETS_CORPUS (default /var/tmp/faasguard-secrets-bench/corpus): real npm/PyPI code for the
#      realistic tree (built with benches/secrets/build_corpus.sh when missing).
#      TREE_PEERS=1: also time semgrep-local and bandit on the tree (slow; for context only).
# faasguard counts as "not available" until `faasguard rules` lists FG-INJ rules. Peers that can
# reach the network run in a loopback-only network namespace (unshare -n; needs root). Nothing is
# fetched at scan time: semgrep runs only the local rules file, with metrics off.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CORPUS="$HERE/corpus"
OUT="${BENCH_OUT:-/var/tmp/faasguard-sast-bench}"
RES="$OUT/results"
TREE="$OUT/tree"
TREE_MB="${TREE_MB:-50}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/faasguard-bench-target}"
mkdir -p "$RES" "$OUT/home"
rm -f "$RES"/*

# --- peers, installed once from PyPI into venvs ---
install() { # name, pip spec...
  local name="$1"; shift
  [[ -x "$OUT/$name-venv/bin/$name" ]] && return 0
  python3 -m venv "$OUT/$name-venv" && "$OUT/$name-venv/bin/pip" install -q "$@"
}
install njsscan njsscan==1.0.2
install bandit bandit==1.9.4
install semgrep semgrep==1.185.0

# --- faasguard ---
if [[ -n "${FAASGUARD_BIN:-}" ]]; then
  FG="$FAASGUARD_BIN"
else
  (cd "$REPO" && cargo build --release -q -p faasguard-cli)
  FG="$CARGO_TARGET_DIR/release/faasguard"
fi
FG_AVAILABLE=0
# (output captured first: with pipefail, `grep -q` closing the pipe early would fail the pipeline)
FG_RULES="$("$FG" rules --format json 2>/dev/null || true)"
if grep -q '"FG-INJ-' <<< "$FG_RULES"; then FG_AVAILABLE=1; fi
# only the injection analysis (not the config, IAM, secret and dependency scans) when the CLI can
FG_ONLY=(--select FG-INJ)
FG_HELP="$("$FG" scan --help 2>/dev/null || true)"
if grep -q '`sast`' <<< "$FG_HELP"; then FG_ONLY=(--scanners sast --select FG-INJ); fi

timed() { # name, command...
  local name="$1"; shift
  echo "== $name: $*" | tee -a "$RES/commands.txt"
  local rc=0
  /usr/bin/time -v -o "$RES/$name.time" "$@" > "$RES/$name.out" 2> "$RES/$name.err" || rc=$?
  echo "$rc" > "$RES/$name.rc"
  grep -E "Elapsed|Maximum resident" "$RES/$name.time" | sed 's/^\s*/   /'
}
NETLESS=(unshare -n sh -c 'ip link set lo up; exec "$0" "$@"')
SEMGREP_ENV=(env HOME="$OUT/home" SEMGREP_SEND_METRICS=off SEMGREP_ENABLE_VERSION_CHECK=0)

# warm the page cache
find "$CORPUS" -type f -print0 | xargs -0 cat > /dev/null

if [[ "$FG_AVAILABLE" == 1 ]]; then
  # run from the corpus root so report paths are relative to it; template.yaml names every handler
  timed faasguard sh -c 'cd "$0" && exec "$@"' "$CORPUS" \
    "$FG" scan --format json --fail-on none "${FG_ONLY[@]}" --output "$RES/faasguard.json" .
else
  echo "== faasguard: not available (no FG-INJ rule in \`faasguard rules\`)" | tee -a "$RES/commands.txt"
fi
timed semgrep-local "${NETLESS[@]}" "${SEMGREP_ENV[@]}" "$OUT/semgrep-venv/bin/semgrep" scan \
  --config "$HERE/semgrep-local.yml" --metrics=off --disable-version-check --no-git-ignore --json \
  --output "$RES/semgrep-local.json" "$CORPUS"
# njsscan drives the semgrep that pip installed next to it: put its venv first on PATH
timed njsscan "${NETLESS[@]}" "${SEMGREP_ENV[@]}" PATH="$OUT/njsscan-venv/bin:$PATH" \
  "$OUT/njsscan-venv/bin/njsscan" --json -o "$RES/njsscan.json" "$CORPUS"
timed bandit "$OUT/bandit-venv/bin/bandit" -r -f json -o "$RES/bandit.json" -q "$CORPUS"

{ echo "faasguard $(git -C "$REPO" rev-parse --short HEAD) (available: $FG_AVAILABLE; binary $FG built $(date -u -r "$FG" +%FT%TZ); uncommitted files in the checkout: $(git -C "$REPO" status --short --untracked-files=no | wc -l))";
  "$OUT/semgrep-venv/bin/semgrep" --version | sed 's/^/semgrep /';
  "$OUT/njsscan-venv/bin/pip" show njsscan semgrep 2>/dev/null | grep -E '^(Name|Version)' | paste - - | sed 's/Name: //; s/\tVersion: / /; s/^/njsscan-venv: /';
  "$OUT/bandit-venv/bin/bandit" --version 2>&1 | head -1;
  nproc | sed 's/^/cores: /'; } > "$RES/versions.txt"
cat "$RES/versions.txt"

# --- throughput: a large first-party tree, twice: with a SAM template per copy (every handler
# named by IaC) and without IaC (handlers discovered by shape) ---
if [[ "$TREE_MB" != 0 ]]; then
  # regenerated when the size or the corpus labels change
  SECRETS_CORPUS="${SECRETS_CORPUS:-/var/tmp/faasguard-secrets-bench/corpus}"
  if [[ ! -d "$SECRETS_CORPUS" ]]; then
    BENCH_OUT="$(dirname "$SECRETS_CORPUS")" "$REPO/benches/secrets/build_corpus.sh"
  fi
  STAMP="mb=$TREE_MB labels=$(sha1sum "$CORPUS/labels.json" "$HERE/gen_tree.py" | cut -c1-12 | tr '\n' ' ')"
  if [[ ! -s "$OUT/tree.txt" ]] || ! grep -qF "$STAMP" "$OUT/tree.txt"; then
    { echo "$STAMP"
      echo "tree $(python3 "$HERE/gen_tree.py" --out "$TREE" --mb "$TREE_MB")"
      python3 "$HERE/gen_tree.py" --out "$TREE-iac" --mb "$TREE_MB" --iac > /dev/null
      echo "tree-real $(python3 "$HERE/gen_tree.py" --out "$TREE-real" --mb "$TREE_MB" --real "$SECRETS_CORPUS")"
      python3 "$HERE/gen_tree.py" --out "$TREE-real-iac" --mb "$TREE_MB" --real "$SECRETS_CORPUS" --iac > /dev/null
    } > "$OUT/tree.txt"
  fi
  cp "$OUT/tree.txt" "$RES/tree.txt"
  find "$TREE" "$TREE-iac" "$TREE-real" "$TREE-real-iac" -type f -print0 | xargs -0 cat > /dev/null
  if [[ "$FG_AVAILABLE" == 1 ]]; then
    timed tree-iac-faasguard "$FG" scan --format json --fail-on none "${FG_ONLY[@]}" --jobs 1 \
      --output "$RES/tree-iac-faasguard.json" "$TREE-iac"
    timed tree-faasguard "$FG" scan --format json --fail-on none "${FG_ONLY[@]}" --jobs 1 \
      --output "$RES/tree-faasguard.json" "$TREE"
    timed tree-real-iac-faasguard "$FG" scan --format json --fail-on none "${FG_ONLY[@]}" --jobs 1 \
      --output "$RES/tree-real-iac-faasguard.json" "$TREE-real-iac"
    timed tree-real-faasguard "$FG" scan --format json --fail-on none "${FG_ONLY[@]}" --jobs 1 \
      --output "$RES/tree-real-faasguard.json" "$TREE-real"
  fi
  if [[ "${TREE_PEERS:-0}" == 1 ]]; then
    timed tree-semgrep-local "${NETLESS[@]}" "${SEMGREP_ENV[@]}" "$OUT/semgrep-venv/bin/semgrep" scan \
      --config "$HERE/semgrep-local.yml" --metrics=off --disable-version-check --no-git-ignore --json \
      --jobs 1 --output "$RES/tree-semgrep-local.json" "$TREE"
    timed tree-bandit "$OUT/bandit-venv/bin/bandit" -r -f json -o "$RES/tree-bandit.json" -q "$TREE"
  fi
fi

python3 "$HERE/score.py" --results "$RES" --details | tee "$RES/score.txt"
echo
python3 "$HERE/score.py" --results "$RES" --set holdout | tee "$RES/score-holdout.txt"
echo
python3 "$HERE/score.py" --results "$RES" --set holdout2 | tee "$RES/score-holdout2.txt"
