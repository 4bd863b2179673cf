#!/usr/bin/env bash
# Quick check of the store's dashboard queries at scale (10,000 functions, 200,000 findings),
# on a SQLite file and on a throwaway PostgreSQL cluster on 127.0.0.1 (stopped and removed at
# the end). Prints one Markdown table per backend. Not a test: numbers depend on the machine.
#
#   bash crates/faasguard-store/bench.sh [functions=10000] [findings-per-function=20] [runs=200]
set -euo pipefail
cd "$(dirname "$0")/../.."

functions="${1:-10000}"
per_function="${2:-20}"
runs="${3:-200}"

cargo build --release -q -p faasguard-store --features testdata --example query_bench
bench=target/release/examples/query_bench

work=$(mktemp -d)
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  echo "PostgreSQL server binaries not found (apt-get install -y postgresql)" >&2
  exit 1
fi
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres:postgres "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() {
  as_pg "$pgbin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
as_pg "$pgbin/initdb" -D "$work/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
as_pg "$pgbin/pg_ctl" -D "$work/data" -l "$work/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $work" start >/dev/null
as_pg "$pgbin/psql" -h 127.0.0.1 -p "$port" -U postgres -q -c 'create database bench'

echo "## SQLite"
"$bench" "$work/bench.db" "$functions" "$per_function" "$runs"
echo
echo "## PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}')"
"$bench" "postgres://postgres@127.0.0.1:$port/bench" "$functions" "$per_function" "$runs"
