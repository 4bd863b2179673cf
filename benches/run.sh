#!/usr/bin/env bash
# Scan benchmark: faasguard vs checkov on one generated monorepo of serverless functions, side by side.
#
#   bash benches/run.sh [FUNCTIONS] [RUNS]      # defaults: 1000 functions, 3 runs each
#
# Builds faasguard (release), installs checkov 3.3.30 into a venv (PyPI), generates the monorepo with
# benches/gen_monorepo.py, runs both tools RUNS times under /usr/bin/time -v, and prints a table of wall
# time and peak memory, then findings per rule and, for every Lambda/IAM check checkov fails on the tree,
# whether faasguard reports the equivalent on the same function (benches/checkov-map.json).
# checkov runs inside a loopback-only network namespace (unshare -n) so it cannot reach out.
set -euo pipefail
cd "$(dirname "$0")/.."
functions="${1:-1000}"
runs="${2:-3}"
out="${BENCH_OUT:-$PWD/bench-out}"
venv="${BENCH_VENV:-$out/venv}"
mkdir -p "$out"

echo "==> build faasguard (release)"
cargo build --release --locked -q -p faasguard-cli
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/faasguard"

if [ ! -x "$venv/bin/checkov" ]; then
  echo "==> install checkov into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'checkov==3.3.30'
fi

echo "==> generate $functions functions"
rm -rf "$out/tree"
"$venv/bin/python" benches/gen_monorepo.py "$out/tree" --functions "$functions"

measure() { # measure NAME RUN CMD... -> appends "name run wall_s rss_kb exit" to $out/times.tsv
  local name=$1 run=$2; shift 2
  local tf="$out/time-$name-$run.txt" rc=0
  /usr/bin/time -v -o "$tf" "$@" >/dev/null 2>"$out/stderr-$name-$run.txt" || rc=$?
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$tf")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tf")
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$run" "$wall" "$rss" "$rc" >> "$out/times.tsv"
}

: > "$out/times.tsv"
for run in $(seq 1 "$runs"); do
  echo "==> run $run/$runs: faasguard"
  measure faasguard "$run" "$bin" scan --format json --output "$out/faasguard.json" --fail-on none "$out/tree"
  echo "==> run $run/$runs: checkov"
  rm -rf "$out/checkov"
  measure checkov "$run" unshare -n sh -c "ip link set lo up && BC_SKIP_MAPPING=TRUE '$venv/bin/checkov' -d '$out/tree' \
    --framework cloudformation serverless terraform --skip-download --quiet --compact -o json \
    --output-file-path '$out/checkov'"
done

"$venv/bin/python" benches/summarize.py "$out" "$functions" "$runs"
