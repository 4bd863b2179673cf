#!/usr/bin/env bash
# Cloud benchmark: moto server seeded with 1,000 functions over 4 regions (seed.py), then
# `faasguard cloud scan` and — when installed — prowler's Lambda and IAM checks against the same
# endpoint. Everything runs inside a loopback-only network namespace (`unshare -n`), so no tool
# can reach a host outside 127.0.0.1 (prowler's code-secret checks download Code.Location from
# the real S3 host name; here that fails instead of leaving the machine).
#
#   bash crates/faasguard-aws/bench/run.sh                  # uses target/debug/faasguard
#   FAASGUARD=target/release/faasguard PROWLER=/path/to/prowler bash crates/faasguard-aws/bench/run.sh
#   PER_REGION=50 bash crates/faasguard-aws/bench/run.sh     # a smaller account
#
# Prints one line per tool: wall seconds, CPU seconds (user+sys), peak RSS, API calls (requests
# moto logged), findings, and the share of wall time the tool spent waiting (1 - CPU/wall).
set -euo pipefail
cd "$(dirname "$0")/../../.."
if [ "$(id -u)" != 0 ] && [ -z "${FG_IN_NETNS:-}" ]; then
  echo "needs root for unshare -n (or run it under \`unshare -rn\`)" >&2
fi
if [ -z "${FG_IN_NETNS:-}" ]; then
  exec unshare -n env FG_IN_NETNS=1 bash "$0" "$@"
fi
ip link set lo up

faasguard="${FAASGUARD:-target/debug/faasguard}"
prowler="${PROWLER:-$(command -v prowler || true)}"
per_region="${PER_REGION:-250}"
port=5077
work=$(mktemp -d)
code_pid=
trap 'kill "$moto_pid" $code_pid 2>/dev/null || true; rm -rf "$work"' EXIT

MOTO_IAM_LOAD_MANAGED_POLICIES=true python3 -m moto.server -H 127.0.0.1 -p "$port" \
  >"$work/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 1 150); do
  curl -sf "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1 && break
  sleep 0.2
done
mkdir -p "$work/code"
python3 "$(dirname "$0")/seed.py" "http://127.0.0.1:$port" "$work/code" "$per_region"
python3 -m http.server 5078 --bind 127.0.0.1 --directory "$work/code" >/dev/null 2>&1 &
code_pid=$!

export AWS_ACCESS_KEY_ID=AKIAFAKEFAKEFAKE0000 AWS_SECRET_ACCESS_KEY=fakesecretfakesecret
export AWS_EC2_METADATA_DISABLED=true AWS_DEFAULT_REGION=us-east-1
regions=us-east-1,us-west-2,eu-west-1,ap-southeast-1

measure() { # name, output file, command...
  local name=$1 out=$2
  shift 2
  local before after start end
  before=$(wc -l <"$work/moto.log")
  start=$(date +%s.%N)
  /usr/bin/time -f '%U %S %M' -o "$work/$name.time" "$@" >"$out" 2>"$work/$name.err" || true
  end=$(date +%s.%N)
  after=$(wc -l <"$work/moto.log")
  # GNU time writes "Command exited with non-zero status N" first when the tool fails.
  read -r user sys rss < <(tail -n 1 "$work/$name.time")
  python3 - "$name" "$start" "$end" "$user" "$sys" "$rss" "$((after - before))" <<'PY'
import sys
name, start, end, user, sys_, rss, calls = sys.argv[1:]
wall = float(end) - float(start)
cpu = float(user) + float(sys_)
print(f"{name:10} wall {wall:7.2f} s  cpu {cpu:7.2f} s  rss {int(rss)/1024:7.1f} MiB  api calls {calls:>6}  waiting {max(0.0, 1 - cpu / wall) * 100:5.1f} %")
PY
}

measure faasguard "$work/faasguard.json" "$faasguard" cloud scan --format json --fail-on none \
  --regions "$regions" --endpoint-url "http://127.0.0.1:$port" \
  --code-endpoint-url "http://127.0.0.1:5078" --concurrency 32
summarise() {
  python3 - "$1" "$2" <<'PY'
import collections, json, sys
r = json.load(open(sys.argv[2]))
c = collections.Counter(f["rule_id"] for f in r["findings"])
print(sys.argv[1], "findings:", sum(c.values()), dict(sorted(c.items())))
print(sys.argv[1], "diagnostics:", len(r["diagnostics"]), "packages scanned:", r["code"]["archives"])
PY
}
summarise faasguard "$work/faasguard.json"

# The same scan with the two opt-in rules prowler's checks correspond to (function outside a
# VPC, no dead-letter queue for functions without a known asynchronous trigger) selected on
# top of every default family; FG-FN-019 costs one more call per function.
measure fg-opt-in "$work/faasguard-opt-in.json" "$faasguard" cloud scan --format json \
  --fail-on none --select FG-FN,FG-IAM,FG-SEC,FG-DEP,FG-INJ,FG-FN-018,FG-FN-019 \
  --regions "$regions" --endpoint-url "http://127.0.0.1:$port" \
  --code-endpoint-url "http://127.0.0.1:5078" --concurrency 32
summarise fg-opt-in "$work/faasguard-opt-in.json"

if [ -n "$prowler" ]; then
  measure prowler "$work/prowler.out" env AWS_ENDPOINT_URL="http://127.0.0.1:$port" \
    "$prowler" aws --service awslambda iam --region us-east-1 us-west-2 eu-west-1 ap-southeast-1 \
    --output-formats json-ocsf --output-directory "$work/prowler" --no-banner
  python3 - "$work/prowler" <<'PY'
import collections, glob, json, sys
c = collections.Counter()
for path in glob.glob(sys.argv[1] + "/*.ocsf.json"):
    for item in json.load(open(path)):
        if item.get("status_code") == "FAIL":
            c[item["metadata"]["event_code"]] += 1
print("prowler FAIL findings:", sum(c.values()), dict(sorted(c.items())))
PY
  tail -n 3 "$work/prowler.err"
else
  echo "prowler: not installed (pip install prowler==5.46.0, then PROWLER=path)"
fi
