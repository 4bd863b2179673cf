#!/usr/bin/env bash
# Short coverage-guided fuzz run of every IaC loader (cargo-fuzz / libFuzzer, stable Rust, no sanitizer).
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
# Targets: cloudformation serverless terraform azure load (the whole multi-file `faasguard_iac::load`)
# package (the secret scan of one in-memory zip / file, `faasguard_engine::scan_package_bytes`) and
# lockfile (every package parser of faasguard-lockfile).
# Seeds come from the loaders' test fixtures, the examples and fuzz/regressions/. A crash, a hang
# (a unit running longer than 10 s) or an out-of-memory (over 2 GiB) makes the script exit non-zero
# and print where the input was written (fuzz/artifacts/<target>/...). Copy it to
# fuzz/regressions/<target>/ (named after what it shows) so that
# crates/faasguard-iac/tests/fuzz_regressions.rs replays it on every test run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
secs="${1:-15}"
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(cloudformation serverless terraform azure load package lockfile)

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install --locked cargo-fuzz
fi

target_dir="${CARGO_TARGET_DIR:-$root/target}/fuzz"
fixtures=crates/faasguard-iac/tests/fixtures

# seed TARGET PATTERN DIR...: copies matching files (under 256 KiB) into the target's corpus.
seed() {
  local t=$1 pattern=$2; shift 2
  mkdir -p "fuzz/corpus/$t"
  for d in "$@"; do
    [ -d "$d" ] || continue
    find "$d" -type f -regextype posix-extended -regex "$pattern" -size -256k \
      -exec cp -n {} "fuzz/corpus/$t/" \; 2>/dev/null || true
  done
}

# pick INDEX: the one-byte file-name selector the azure and load targets read first.
pick() { printf "\\$(printf '%03o' "$1")"; }

# Azure: the first byte picks function.json (0), host.json (1), local.settings.json (2) or an ARM
# template (3); see fuzz/fuzz_targets/azure.rs.
seed_azure() {
  mkdir -p fuzz/corpus/azure
  find "$fixtures/azure" -type f -name '*.json' -size -256k | while read -r f; do
    local n
    case "$(basename "$f")" in
      function.json) n=0 ;; host.json) n=1 ;; local.settings.json) n=2 ;; *) n=3 ;;
    esac
    { pick "$n"; cat "$f"; } >"fuzz/corpus/azure/$(echo "$f" | tr '/' '_')"
  done
}

# load: files joined by 0xFF bytes, each starting with its name selector (see fuzz_targets/load.rs).
seed_load() {
  mkdir -p fuzz/corpus/load
  local out
  for dir in examples/* "$fixtures"/terraform/* "$fixtures/azure/function_app"; do
    [ -d "$dir" ] || continue
    out="fuzz/corpus/load/$(echo "$dir" | tr '/' '_')"
    : >"$out"
    find "$dir" -type f -size -64k | sort | while read -r f; do
      local n
      case "$f" in
        */template.yaml) n=0 ;; */serverless.yml) n=2 ;; */main.tf) n=3 ;; *.tf) n=4 ;;
        */function.json) n=7 ;; */host.json) n=8 ;; */local.settings.json) n=9 ;; *) continue ;;
      esac
      { pick "$n"; cat "$f"; printf '\377'; } >>"$out"
    done
  done
}

seed cloudformation '.*\.(ya?ml|json|template)' "$fixtures/cloudformation" "$fixtures/sam" examples
seed serverless '.*serverless.*\.ya?ml|.*\.yml' "$fixtures/serverless" examples
seed terraform '.*\.tf' "$fixtures/terraform" examples
seed_azure
seed_load
# package: small zips (nested, zip-slip names, stored and deflated) and text with credentials, made
# by a script so that no credential-shaped text is committed.
mkdir -p fuzz/corpus/package
python3 scripts/fuzz-package-seeds.py fuzz/corpus/package
# lockfile: each parser fixture, prefixed with the byte that picks its file name in
# fuzz_targets/lockfile.rs.
seed_lockfile() {
  mkdir -p fuzz/corpus/lockfile
  local f n
  find crates/faasguard-lockfile/tests/fixtures -type f -size -64k | while read -r f; do
    case "$f" in
      *package-lock*.json) n=0 ;; *npm-shrinkwrap.json) n=1 ;; *yarn*.lock) n=2 ;; *pnpm-lock*.yaml) n=3 ;;
      *node_modules/*|*_package.json) n=4 ;; *requirements*.txt) n=5 ;; *poetry*.lock) n=6 ;;
      *Pipfile.lock) n=7 ;; *uv*.lock) n=8 ;; *METADATA) n=9 ;; *PKG-INFO) n=10 ;; *go.mod) n=11 ;;
      *bootstrap*) n=12 ;; *Cargo*.lock) n=13 ;; *Gemfile*.lock) n=14 ;; *composer*.lock) n=15 ;;
      *pom.xml) n=16 ;; *gradle*.lockfile) n=17 ;; *.jar) n=18 ;; *pom.properties) n=19 ;;
      *packages.lock.json) n=20 ;; *.deps.json) n=21 ;; *) continue ;;
    esac
    { pick "$n"; cat "$f"; } >"fuzz/corpus/lockfile/$(echo "$f" | tr '/' '_')"
  done
}
seed_lockfile
# fuzz/regressions/ is not copied into the corpora: crates/faasguard-iac/tests/fuzz_regressions.rs
# replays it, and a known-slow input there (the HCL parse deadline) would only slow the search.

cd fuzz
failed=()
mkdir -p "$target_dir"
for t in "${targets[@]}"; do
  echo "==> fuzz $t for ${secs}s"
  log="$target_dir/$t.log"
  rc=0
  cargo fuzz run --target-dir "$target_dir" -s none -O "$t" "corpus/$t" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -report_slow_units=2 -print_final_stats=1 \
    >"$log" 2>&1 || rc=$?
  grep -E '^(#[0-9]+ *DONE|stat::number_of_executed_units|SUMMARY|==[0-9]+== ERROR)|Slowest unit|panicked|ALARM|out-of-memory|Test unit written' "$log" || true
  if [ "$rc" != 0 ]; then
    echo "fuzz target $t FAILED (exit $rc); last lines of $log:"
    tail -40 "$log"
    artifact=$(grep -oE 'Test unit written to [^ ]+' "$log" | tail -1 | sed 's/Test unit written to //' || true)
    if [ -n "$artifact" ]; then
      case "$artifact" in /*) ;; *) artifact="$root/fuzz/${artifact#./}" ;; esac
      echo "crashing input: $artifact"
      echo "reproduce: (cd fuzz && cargo fuzz run --target-dir $target_dir -s none -O $t $artifact)"
    fi
    failed+=("$t")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzzing failed for: ${failed[*]}"
  exit 1
fi
echo "fuzzing passed: ${targets[*]}"
