#!/usr/bin/env bash
# Runs faasguard's whole test suite on a fresh Debian machine with Rust: installs what the tests need
# first, then unit, integration and CLI tests, the generated-docs drift check, and a short fuzz run of
# every loader.
#
#   bash scripts/test.sh            # everything
#   FAASGUARD_FUZZ_SECONDS=0 bash scripts/test.sh   # skip the fuzz run
set -euo pipefail
cd "$(dirname "$0")/.."

fuzz_seconds="${FAASGUARD_FUZZ_SECONDS:-15}"

step() { printf '\n==> %s\n' "$*"; }

step "moto server for the cloud tests (PyPI moto[server]; they start it on 127.0.0.1)"
if ! python3 -c 'import moto.server' >/dev/null 2>&1; then
  python3 -m pip install --quiet 'moto[server]==5.2.1'
fi

step "PostgreSQL server for the store tests (Debian postgresql; each test run starts its own cluster on 127.0.0.1)"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
fi

step "Chromium for the dashboard test (Debian chromium, driven by playwright-core from npm)"
if [ ! -x /usr/bin/chromium ]; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
command -v npm >/dev/null 2>&1 || { echo "npm is needed for the dashboard test (Node 20 with npm)" >&2; exit 1; }

step "workspace tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
else
  cargo test --workspace --locked --no-fail-fast
fi

step "generated docs are up to date"
cargo run --locked -q -p xtask -- gen-docs --check

step "faasguard scans its own repository and finds nothing"
cargo run --locked -q -p faasguard-cli -- scan --config self-scan.faasguard.toml --fail-on low .

step "the README's first command runs on the bundled examples"
cargo run --locked -q -p faasguard-cli -- scan --fail-on none examples/ >/dev/null

if [ "$fuzz_seconds" != "0" ]; then
  step "fuzz every loader for ${fuzz_seconds}s each"
  bash scripts/fuzz.sh "$fuzz_seconds"
fi

step "all tests passed"
