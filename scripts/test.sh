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

step "Lambda runtime interface clients for the shield e2e tests (PyPI awslambdaric, npm aws-lambda-ric with its native client; cached outside the repository)"
shield_e2e_cache="${FAASGUARD_SHIELD_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faasguard-shield-e2e}"
if ! command -v cmake >/dev/null 2>&1 || ! command -v autoreconf >/dev/null 2>&1 \
  || ! command -v libtoolize >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update
  # aws-lambda-ric builds curl (autoconf, automake, libtool) and aws-lambda-cpp (cmake) from source.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y cmake autoconf automake libtool make g++ python3-venv
fi
if ! "$shield_e2e_cache/py/bin/python" -c 'import awslambdaric' >/dev/null 2>&1; then
  python3 -m venv "$shield_e2e_cache/py"
  "$shield_e2e_cache/py/bin/python" -m pip install --quiet 'awslambdaric==4.2.2'
fi
shield_e2e_ric="$shield_e2e_cache/node/node_modules/aws-lambda-ric"
if [ ! -f "$shield_e2e_ric/dist/rapid-client.node" ]; then
  mkdir -p "$shield_e2e_cache/node"
  [ -f "$shield_e2e_cache/node/package.json" ] || echo '{"private": true}' >"$shield_e2e_cache/node/package.json"
  (cd "$shield_e2e_cache/node" && npm install --no-audit --no-fund 'aws-lambda-ric@3.3.0')
  [ -f "$shield_e2e_ric/dist/rapid-client.node" ] || { echo "aws-lambda-ric did not build its native client" >&2; exit 1; }
fi
export FAASGUARD_SHIELD_E2E_PY="$shield_e2e_cache/py/bin/python"
export FAASGUARD_SHIELD_E2E_NODE_RIC="$shield_e2e_cache/node"
echo "FAASGUARD_SHIELD_E2E_PY=$FAASGUARD_SHIELD_E2E_PY FAASGUARD_SHIELD_E2E_NODE_RIC=$FAASGUARD_SHIELD_E2E_NODE_RIC"

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
