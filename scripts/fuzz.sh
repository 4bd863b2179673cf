#!/usr/bin/env bash
# Short coverage-guided fuzz run of every IaC loader (cargo-fuzz / libFuzzer, stable Rust, no sanitizer).
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET]
# Seeds come from the loaders' test fixtures and the examples. A crash leaves its input under
# fuzz/artifacts/<target>/; copy it to fuzz/regressions/<target>/ (named after what it shows) so that
# crates/faasguard-iac/tests/fuzz_regressions.rs replays it on every test run.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-15}"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install --locked cargo-fuzz
fi

target_dir="${CARGO_TARGET_DIR:-$PWD/target}/fuzz"
fixtures=crates/faasguard-iac/tests/fixtures
seed() { # seed TARGET PATTERN DIR...
  local t=$1 pattern=$2; shift 2
  mkdir -p "fuzz/corpus/$t"
  for d in "$@"; do
    [ -d "$d" ] || continue
    find "$d" -type f -regextype posix-extended -regex "$pattern" -size -256k \
      -exec cp -n {} "fuzz/corpus/$t/" \; 2>/dev/null || true
  done
  if [ -d "fuzz/regressions/$t" ]; then cp -n fuzz/regressions/"$t"/* "fuzz/corpus/$t/" 2>/dev/null || true; fi
}
seed cloudformation '.*\.(ya?ml|json|template)' "$fixtures/cloudformation" "$fixtures/sam" examples
seed serverless '.*serverless.*\.ya?ml|.*\.yml' "$fixtures/serverless" examples
seed terraform '.*\.tf' "$fixtures/terraform" examples
seed azure '.*\.json' "$fixtures/azure"

cd fuzz
for t in cloudformation serverless terraform azure; do
  echo "==> fuzz $t for ${secs}s"
  log="$target_dir/$t.log"
  mkdir -p "$target_dir"
  rc=0
  cargo fuzz run --target-dir "$target_dir" -s none -O "$t" "corpus/$t" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    >"$log" 2>&1 || rc=$?
  grep -E '^(#[0-9]+ *DONE|stat::number_of_executed_units|SUMMARY|==[0-9]+== ERROR)|panicked|Test unit written' "$log" || true
  if [ "$rc" != 0 ]; then
    echo "fuzz target $t failed (exit $rc); last lines of $log:"
    tail -40 "$log"
    exit 1
  fi
done
