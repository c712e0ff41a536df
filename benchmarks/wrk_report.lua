-- wrk script: spread requests over the person IDs in HRSS_BENCH_PATHS (one path per line) and print a
-- JSON summary line (requests/s, latency percentiles in ms, errors) for benchmarks/person_view.py.
local paths = {}
local counter = 0

function init(args)
  local file = io.open(os.getenv("HRSS_BENCH_PATHS"), "r")
  for line in file:lines() do paths[#paths + 1] = line end
  file:close()
  counter = math.random(#paths)
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("HRSS_BENCH_TOKEN")
  local purpose = os.getenv("HRSS_BENCH_PURPOSE")
  if purpose and purpose ~= "" then wrk.headers["X-Purpose"] = purpose end
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
    + summary.errors.timeout
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, ' ..
    '"max_ms": %.3f, "errors": %d, "non_2xx": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, errors, summary.errors.status))
end
