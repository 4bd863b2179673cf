#!/usr/bin/env bash
# The server benchmark of issue 8: `faasguard serve` under wrk, on loopback, with 10,000
# functions and 200,000 findings stored, on SQLite and on PostgreSQL. Goal per dashboard
# list/filter endpoint: p99 <= 50 ms and >= 2,000 requests/s.
#
#   bash benches/server/run.sh
#
# Environment (all optional):
#   FUNCTIONS=10000 PER_FUNCTION=20   dataset (findings = FUNCTIONS x PER_FUNCTION)
#   THREADS=2 CONNECTIONS=16          wrk -t / -c
#   DURATION=10s WARMUP=2s            wrk -d for the measured run and the unrecorded warm-up
#   BACKENDS="sqlite postgres"        which stores to measure
#   ONLY=regex                        only endpoints whose name matches
#   (an endpoint `cursor:PATH?page=99` is measured as page 100 reached with PATH's next_cursor;
#   `nocache:PATH` sends `Cache-Control: no-cache`, so text searches and deep-page positions
#   are computed afresh on every request instead of coming from the per-generation memo)
#   CARGO_TARGET_DIR                  release build dir [/var/tmp/faasguard-bench-target]
#   KEEP=1                            keep the work dir (stores, wrk logs, server logs)
#
# Everything stays on 127.0.0.1: PostgreSQL is a throwaway cluster listening on 127.0.0.1
# only (stopped and removed at the end), the server listens on 127.0.0.1, and its AWS client
# (used only by block/unblock, which the benchmark does not call) is pointed at a closed
# loopback port with fake credentials and instance metadata disabled.
set -euo pipefail
cd "$(dirname "$0")/../.."

FUNCTIONS="${FUNCTIONS:-10000}"
PER_FUNCTION="${PER_FUNCTION:-20}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
BACKENDS="${BACKENDS:-sqlite postgres}"
ONLY="${ONLY:-.}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/faasguard-bench-target}"

WRK="${WRK:-$(command -v wrk || true)}"
if [ -z "$WRK" ]; then
  echo "wrk not found (apt-get install -y wrk)" >&2
  exit 1
fi

echo "building faasguard and the fill example (release, $CARGO_TARGET_DIR)" >&2
cargo build --release -q -p faasguard-cli --bin faasguard
cargo build --release -q -p faasguard-store --features testdata --example fill_store
faasguard="$CARGO_TARGET_DIR/release/faasguard"
fill="$CARGO_TARGET_DIR/release/examples/fill_store"

work=$(mktemp -d /tmp/faasguard-server-bench.XXXXXX)
chmod 711 "$work" # the postgres user must reach its cluster directory inside
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
server_pid=""
pg_started=""
pgbin=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -n "$pg_started" ]; then
    as_pg "$pgbin/pg_ctl" -D "$work/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then
    echo "kept $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# The AWS client of `faasguard serve` (block/unblock only) must not leave the machine.
export AWS_ACCESS_KEY_ID=AKIAFAKEFAKEFAKEFAKE
export AWS_SECRET_ACCESS_KEY=fake-secret-for-the-benchmark
export AWS_EC2_METADATA_DISABLED=true
export AWS_REGION=us-east-1
unset AWS_PROFILE AWS_ENDPOINT_URL AWS_SESSION_TOKEN
closed_port=$(free_port)

# Endpoints: name|paths (one path, or @file of paths cycled through).
account=123456789012
keys="$work/function-keys.txt"
findings_of="$work/findings-of-function.txt"
: >"$keys"
: >"$findings_of"
regions=$(((FUNCTIONS + 999) / 1000))
for i in $(seq 0 199); do
  key=$(printf '%s%%2Fregion-%d%%2Ffn-%05d' "$account" $((i % regions)) $(((i * 37) % 1000)))
  echo "/api/v1/functions/$key" >>"$keys"
  echo "/api/v1/findings?function=$key" >>"$findings_of"
done
endpoints=(
  "functions: first page (blocked first)|/api/v1/functions"
  "functions: page 100|/api/v1/functions?page=100"
  "functions: account + region|/api/v1/functions?account=$account&region=region-3"
  "functions: blocked only|/api/v1/functions?blocked=true"
  "functions: violating only|/api/v1/functions?violating=true"
  "functions: violating, page 90|/api/v1/functions?violating=true&page=90"
  "function detail (200 functions)|@$keys"
  "findings: open, first page|/api/v1/findings"
  "findings: severity critical|/api/v1/findings?severity=critical"
  "findings: rule FG-DEP|/api/v1/findings?rule=FG-DEP"
  "findings: one function (200)|@$findings_of"
  "findings: status all|/api/v1/findings?status=all"
  "findings: search common (handler)|/api/v1/findings?q=handler"
  "findings: search rare (GHSA-0042-0005)|/api/v1/findings?q=GHSA-0042-0005"
  "findings: page 100|/api/v1/findings?page=100"
  "functions: page 100 (cursor)|cursor:/api/v1/functions?page=99"
  "findings: page 100 (cursor)|cursor:/api/v1/findings?page=99"
  "assurance view (first page)|/api/v1/assurance"
  "assurance view: page 100|/api/v1/assurance?page=100"
  "assurance view: page 100 (cursor)|cursor:/api/v1/assurance?page=99"
  "assurance view: violating only|/api/v1/assurance?violating=true"
  "assurance view: violating, page 90|/api/v1/assurance?violating=true&page=90"
  "audit log|/api/v1/audit"
  "findings by day (30)|/api/v1/stats/findings-by-day?days=30"
  "findings: search common (handler), no-cache|nocache:/api/v1/findings?q=handler"
  "findings: search rare (GHSA-0042-0005), no-cache|nocache:/api/v1/findings?q=GHSA-0042-0005"
  "functions: page 100, no-cache|nocache:/api/v1/functions?page=100"
  "findings: page 100, no-cache|nocache:/api/v1/findings?page=100"
  "findings: severity critical, page 100, no-cache|nocache:/api/v1/findings?severity=critical&page=100"
  "findings: rule FG-DEP, page 100, no-cache|nocache:/api/v1/findings?rule=FG-DEP&page=100"
  "assurance view: page 100, no-cache|nocache:/api/v1/assurance?page=100"
  "assurance view: violating, page 90, no-cache|nocache:/api/v1/assurance?violating=true&page=90"
)

results="$work/results.tsv"
: >"$results"

run_backend() {
  local backend="$1" database="$2"
  echo "== $backend: filling $database" >&2
  "$fill" "$database" "$FUNCTIONS" "$PER_FUNCTION" >&2
  local token
  token=$("$faasguard" token create bench-viewer --role viewer --database "$database" 2>/dev/null)
  local port
  port=$(free_port)
  "$faasguard" serve --no-scheduler --database "$database" --listen "127.0.0.1:$port" \
    --endpoint-url "http://127.0.0.1:$closed_port" --regions us-east-1 --max-attempts 1 \
    >"$work/serve-$backend.log" 2>&1 &
  server_pid=$!
  local base="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$base/api/v1/me" 2>/dev/null; then
      break
    fi
    sleep 0.2
  done
  curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$base/api/v1/me"
  echo "== $backend: server pid $server_pid on $base" >&2
  for entry in "${endpoints[@]}"; do
    local name="${entry%%|*}" target="${entry#*|}"
    [[ "$name" =~ $ONLY ]] || continue
    local paths="$work/paths.txt" no_cache=0
    if [[ "$target" == nocache:* ]]; then
      no_cache=1
      target="${target#nocache:}"
    fi
    if [[ "$target" == @* ]]; then
      cp "${target#@}" "$paths"
    elif [[ "$target" == cursor:* ]]; then
      # Page 100 by cursor: the next_cursor of page 99 (what the dashboard's Next sends).
      local page99="${target#cursor:}"
      curl -fsS -H "Authorization: Bearer $token" "$base$page99" -o "$work/page99.json"
      python3 -c 'import json, sys, urllib.parse
d = json.load(open(sys.argv[1]))
print(sys.argv[2].split("?")[0] + "?cursor=" + urllib.parse.quote(d["next_cursor"], safe=""))' \
        "$work/page99.json" "$page99" >"$paths"
    else
      echo "$target" >"$paths"
    fi
    # One checked request first: the answer must be 200 with JSON (a 401 would be fast).
    local first
    first=$(head -n1 "$paths")
    curl -fsS -H "Authorization: Bearer $token" "$base$first" -o "$work/sample.json"
    local total
    total=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["total"] if "total" in d else len(d["days"]) if "days" in d else "-")' "$work/sample.json" 2>/dev/null || echo "?")
    FG_NO_CACHE="$no_cache" FG_TOKEN="$token" FG_PATHS_FILE="$paths" "$WRK" -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" \
      --timeout 10s -s benches/server/bench.lua "$base" >/dev/null
    local log="$work/wrk-$backend-$(echo "$name" | tr -c 'a-zA-Z0-9' '_').log"
    FG_NO_CACHE="$no_cache" FG_TOKEN="$token" FG_PATHS_FILE="$paths" "$WRK" -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" \
      --timeout 10s --latency -s benches/server/bench.lua "$base" >"$log"
    local line
    line=$(grep '^FGRESULT' "$log")
    echo "$backend	$name	$total	$line" >>"$results"
    echo "   $name (total $total): ${line#FGRESULT }" >&2
  done
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

for backend in $BACKENDS; do
  case "$backend" in
    sqlite)
      run_backend sqlite "$work/bench.db"
      ;;
    postgres)
      pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
      if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
        echo "PostgreSQL server binaries not found (apt-get install -y postgresql)" >&2
        exit 1
      fi
      mkdir -p "$work/pg"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$work/pg"
      pgport=$(free_port)
      as_pg "$pgbin/initdb" -D "$work/pg/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
        --no-sync >/dev/null
      as_pg "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $pgport -k $work/pg" start >/dev/null
      pg_started=1
      as_pg "$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U postgres -q -c 'create database bench'
      # Fill first, then VACUUM ANALYZE (what autovacuum does shortly after a bulk load: the
      # visibility map for index-only counts, planner statistics), then measure.
      "$fill" "postgres://postgres@127.0.0.1:$pgport/bench" "$FUNCTIONS" "$PER_FUNCTION" >&2
      as_pg "$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U postgres -q -d bench -c 'VACUUM ANALYZE'
      run_backend "postgres" "postgres://postgres@127.0.0.1:$pgport/bench"
      ;;
    *)
      echo "unknown backend $backend" >&2
      exit 1
      ;;
  esac
done

# One table: endpoint x backend -> req/s, p50, p99, meets (p99 <= 50 ms and >= 2,000 req/s).
python3 - "$results" "$DURATION" "$THREADS" "$CONNECTIONS" <<'PY'
import sys
rows, order, backends = {}, [], []
for line in open(sys.argv[1]):
    backend, name, total, result = line.rstrip("\n").split("\t")
    kv = dict(p.split("=") for p in result.split()[1:])
    if name not in order:
        order.append(name)
    if backend not in backends:
        backends.append(backend)
    rows[(backend, name)] = (total, kv)
label = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
print(f"\nwrk -t{sys.argv[3]} -c{sys.argv[4]} -d{sys.argv[2]} --latency (p99 <= 50 ms and >= 2,000 req/s)\n")
head = "| endpoint | total |"
rule = "|---|---:|"
for b in backends:
    head += f" {label.get(b, b)} req/s | p50 ms | p99 ms | meets |"
    rule += "---:|---:|---:|:---:|"
print(head)
print(rule)
for name in order:
    total = next((rows[(b, name)][0] for b in backends if (b, name) in rows), "")
    line = f"| {name} | {total} |"
    for b in backends:
        if (b, name) not in rows:
            line += " | | | |"
            continue
        kv = rows[(b, name)][1]
        rps, p50, p99 = float(kv["rps"]), float(kv["p50"]), float(kv["p99"])
        bad = int(kv["non2xx"]) + int(kv["errors"])
        meets = "yes" if p99 <= 50 and rps >= 2000 and bad == 0 else "**no**"
        if bad:
            meets += f" ({bad} errors)"
        line += f" {rps:,.0f} | {p50:.2f} | {p99:.2f} | {meets} |"
    print(line)
PY
