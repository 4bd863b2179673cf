-- wrk script for benches/server/run.sh: a bearer token header (FG_TOKEN), the request paths
-- from a file (FG_PATHS_FILE, one per line, cycled through), and one machine-readable result
-- line at the end (latencies in milliseconds; non2xx counts answers that were not 2xx/3xx).
-- FG_NO_CACHE=1 sends `Cache-Control: no-cache`: the server computes text searches and
-- deep-page positions afresh instead of reusing the ones memoised for the store generation.
local token = os.getenv("FG_TOKEN") or error("FG_TOKEN is not set")
local paths = {}
for line in io.lines(os.getenv("FG_PATHS_FILE") or error("FG_PATHS_FILE is not set")) do
  if #line > 0 then
    paths[#paths + 1] = line
  end
end
wrk.headers["Authorization"] = "Bearer " .. token
if os.getenv("FG_NO_CACHE") == "1" then
  wrk.headers["Cache-Control"] = "no-cache"
end

local threads = 0
function setup(thread)
  thread:set("offset", threads * 7919)
  threads = threads + 1
end

local i = 0
function init(args)
  i = offset or 0
end

function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "FGRESULT rps=%.0f p50=%.2f p75=%.2f p90=%.2f p99=%.2f max=%.2f requests=%d non2xx=%d errors=%d\n",
    summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(75) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
