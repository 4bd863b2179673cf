#!/usr/bin/env bash
# The runtime-shield benchmark of issue 9. It prints Markdown tables:
#   1. wrapper start-up overhead: a program started directly vs through `faasguard-shield`
#      (interleaved rounds, min and median, plus the wrapper's own `setup_us` from its init
#      line), for /bin/true, `python3 -c pass` and `node -e 0` (the last two load the Python and
#      Node shims through the wrapper), in `alert` mode (in-process layer only) and `block` mode
#      (plus Landlock and seccomp where the kernel allows them). Goal for /bin/true: <= 3 ms.
#   2. pass-through cost of hooked calls that the policy allows (read-only open outside the tmp
#      roots, UDP connect/sendto and TCP connect to 127.0.0.1), run directly vs under the wrapper
#      (LD_PRELOAD library loaded), minimum of REPEAT interleaved runs. Goal: <= 1 us added.
#
#   bash benches/shield/run.sh
#
# Environment (all optional):
#   ROUNDS=200 WARMUP=10      start-up rounds per program (each round runs both, alternating)
#   CALLS=1000000             calls per hooked operation (TCP_CALLS=20000 for tcp_connect)
#   REPEAT=5                  interleaved runs of the call benchmark (the minimum is kept)
#   CARGO_TARGET_DIR          release build dir [/var/tmp/faasguard-bench-target]
#   KEEP=1                    keep the work dir (layer copy, logs)
#
# Needs gcc, python3 and node. Everything stays on 127.0.0.1; the layer is laid out in a temp
# dir exactly as in the zip (`faasguard shield layer`) and found through FAASGUARD_SHIELD_ROOT.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS="${ROUNDS:-200}"
WARMUP="${WARMUP:-10}"
CALLS="${CALLS:-1000000}"
TCP_CALLS="${TCP_CALLS:-20000}"
REPEAT="${REPEAT:-5}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/faasguard-bench-target}"

for tool in gcc python3 node; do
  command -v "$tool" >/dev/null || { echo "$tool not found" >&2; exit 1; }
done

echo "building faasguard-shield and libfaasguard_shield.so (release, $CARGO_TARGET_DIR)" >&2
cargo build --release -q -p faasguard-shield -p faasguard-shield-preload
rel="$CARGO_TARGET_DIR/release"

work=$(mktemp -d /tmp/faasguard-shield-bench.XXXXXX)
cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The layer as Lambda extracts it under /opt.
opt="$work/opt"
mkdir -p "$opt/faasguard/lib" "$opt/faasguard/python" "$opt/faasguard/node"
cp "$rel/faasguard-shield" "$opt/faasguard-shield"
cp "$rel/libfaasguard_shield.so" "$opt/faasguard/lib/"
cp crates/faasguard-shield/assets/python/sitecustomize.py crates/faasguard-shield/assets/python/faasguard_shield_audit.py "$opt/faasguard/python/"
cp crates/faasguard-shield/assets/node/shield.cjs "$opt/faasguard/node/"
wrapper="$opt/faasguard-shield"

gcc -O2 -Wall -Wextra -o "$work/spawn" benches/shield/spawn.c
gcc -O2 -Wall -Wextra -pthread -o "$work/hooks" benches/shield/hooks.c

# A clean environment for both arms: no policy but the mode, no inherited preloads.
while IFS='=' read -r name _; do
  case "$name" in FAASGUARD_SHIELD_*) unset "$name" ;; esac
done < <(env)
unset LD_PRELOAD PYTHONPATH NODE_OPTIONS AWS_LAMBDA_RUNTIME_API LAMBDA_TASK_ROOT _HANDLER
export FAASGUARD_SHIELD_ROOT="$opt/faasguard"

python=$(python3 -c 'import sys; print(sys.executable)') # the interpreter, not a pyenv shim
node=$(command -v node)

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# min and median of the numbers on stdin
min_med() { sort -n | awk '{v[NR]=$1} END {if (NR==0) {print "- -"; exit} m = (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%d %d\n", v[1], m}'; }

startup_rows=""
n=0
startup() { # label mode command...
  local label="$1" mode="$2"
  shift 2
  n=$((n + 1))
  local log="$work/startup.$n.log"
  echo "start-up: $label ($mode), $ROUNDS rounds" >&2
  local out amin amed bmin bmed dmin dmed dpair smin smed
  out=$(FAASGUARD_SHIELD_MODE="$mode" "$work/spawn" "$ROUNDS" "$WARMUP" "$log" "$@" -- "$wrapper" "$@")
  read -r amin amed bmin bmed dmin dmed dpair <<<"$out"
  read -r smin smed < <(grep -o '"setup_us":[0-9]*' "$log" | cut -d: -f2 | min_med)
  if grep -q '"faasguard_shield":"alert"' "$log"; then
    echo "warning: $label ($mode) raised alerts; see $log (KEEP=1)" >&2
  fi
  startup_rows+="| \`$label\` | $mode | $amin / $amed | $bmin / $bmed | $dmin / $dmed | $dpair | $smin / $smed |"$'\n'
}

# Where the /bin/true time goes: the LD_PRELOAD library alone (with the policy the wrapper
# passes), without the wrapper; both arms start through env(1).
effective=$(FAASGUARD_SHIELD_MODE=alert "$wrapper" /usr/bin/env 2>/dev/null | sed -n 's/^FAASGUARD_SHIELD_EFFECTIVE=//p')
echo "start-up: /bin/true with LD_PRELOAD only, $ROUNDS rounds" >&2
read -r amin amed bmin bmed dmin dmed dpair < <("$work/spawn" "$ROUNDS" "$WARMUP" "$work/preload.log" \
  /usr/bin/env /bin/true -- \
  /usr/bin/env "LD_PRELOAD=$opt/faasguard/lib/libfaasguard_shield.so" "FAASGUARD_SHIELD_EFFECTIVE=$effective" /bin/true)
preload_row="| \`/bin/true\`, LD_PRELOAD library only (no wrapper; both arms through env) | alert | $amin / $amed | $bmin / $bmed | $dmin / $dmed | $dpair | - |"

startup /bin/true alert /bin/true
startup /bin/true block /bin/true
startup "python3 -c pass" alert "$python" -c pass
startup "python3 -c pass" block "$python" -c pass
startup "node -e 0" alert "$node" -e 0
startup "node -e 0" block "$node" -e 0

# Hooked calls: REPEAT rounds of direct, wrapper alert, wrapper block.
for i in $(seq "$REPEAT"); do
  echo "calls: round $i of $REPEAT" >&2
  "$work/hooks" "$CALLS" "$TCP_CALLS" /etc/passwd >"$work/direct.$i"
  FAASGUARD_SHIELD_MODE=alert "$wrapper" "$work/hooks" "$CALLS" "$TCP_CALLS" /etc/passwd \
    >"$work/alert.$i" 2>>"$work/calls.log"
  FAASGUARD_SHIELD_MODE=block "$wrapper" "$work/hooks" "$CALLS" "$TCP_CALLS" /etc/passwd \
    >"$work/block.$i" 2>>"$work/calls.log"
done
# The only alerts expected are the /tmp probe's (it shows the hooks are in place).
if grep '"faasguard_shield":"alert"' "$work/calls.log" | grep -qv 'faasguard-shield-bench-probe'; then
  echo "warning: the call benchmark raised alerts for allowed calls; see $work/calls.log (KEEP=1)" >&2
fi
probe_alerts=$(grep '"faasguard_shield":"alert"' "$work/calls.log" | grep -c '"mechanism":"ld_preload"' || true)
probe_direct=$(awk '$1 == "tmp_probe" {print $2; exit}' "$work/direct.1")
probe_alert=$(awk '$1 == "tmp_probe" {print $2; exit}' "$work/alert.1")
probe_block=$(awk '$1 == "tmp_probe" {print $2; exit}' "$work/block.1")
# per operation: the minimum ns/call over the rounds, and the total failures
mins() { cat "$work/$1".* | grep -v '^tmp_probe ' | awk '{ if (!($1 in m) || $2 < m[$1]) m[$1] = $2; f[$1] += $3 } END { for (k in m) print k, m[k], f[k] }' | sort; }
mins direct >"$work/direct.min"
mins alert >"$work/alert.min"
mins block >"$work/block.min"
call_rows=$(join "$work/direct.min" "$work/alert.min" | join - "$work/block.min" | awk '
  { printf "| `%s` | %.1f | %.1f (%+.1f) | %.1f (%+.1f) | %d |\n", $1, $2, $4, $4 - $2, $6, $6 - $2, $3 + $5 + $7 }')
# The order of the rows: the control first.
call_rows=$(printf '%s\n' "$call_rows" | awk '/`getpid`/ {print; next} {rest = rest $0 "\n"} END {printf "%s", rest}')

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
init_block=$(grep -m1 '"faasguard_shield":"init"' "$work/startup.2.log" || true)

cat <<EOF2

### Wrapper start-up (µs; $ROUNDS interleaved rounds after $WARMUP warm-up rounds; min / median)

| program | mode | direct | through the wrapper | added (min / median) | added (median of per-round differences) | wrapper \`setup_us\` (min / median) |
|---|---|---|---|---|---|---|
${startup_rows}${preload_row}

Goal for \`/bin/true\`: at most 3,000 µs added. \`setup_us\` is the wrapper's own time from
start to just before \`exec\` (policy, probe, environment, kernel layer), measured inside it,
so machine load affects it less. The Python and Node rows include loading the shims.

### Pass-through cost of allowed hooked calls (ns per call; minimum of $REPEAT interleaved runs)

| call | direct | wrapper, alert (added) | wrapper, block (added) | failed calls |
|---|---|---|---|---|
${call_rows}

$CALLS calls per operation ($TCP_CALLS for \`tcp_connect\`). \`getpid\` (a raw syscall) is not
hooked: its change under \`block\` is the seccomp filter's cost on every syscall. Goal: at most
1 µs added per hooked call. The hooks were in place: a create and delete under /tmp after the
loops returned errno $probe_direct directly, $probe_alert under alert and $probe_block under block
(1 = EPERM, 13 = EACCES), and the wrapper runs wrote $probe_alerts \`ld_preload\` alert lines for it.

### Machine

- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores
- kernel: $(uname -r); glibc $(ldd --version | head -1 | awk '{print $NF}')
- load average (1/5/15 min): $load_before before, $load_after after
- $(rustc --version); $(gcc --version | head -1); Python $("$python" -c 'import platform; print(platform.python_version())'); Node $("$node" --version)
- kernel layer in block mode (from the init line): $(printf '%s' "$init_block" | grep -o '"kernel_rules":{[^}]*}' || echo none)
EOF2
