-- wrk script of benchmarks/registration_post.py: every request is an employment registration of a new person.
--
-- Person n (n = HRSS_BENCH_OFFSET, HRSS_BENCH_OFFSET + 1, …) gets a valid ID number (GB 11643-1999 check
-- character) in one of HRSS_BENCH_COUNTIES (comma-separated), born 1980-1999 (of working age on the start date),
-- so no two requests of one run, or of runs with offsets 10,000,000 apart, name the same person. The employer
-- is HRSS_BENCH_CREDIT_CODE. Prints the same JSON summary line as wrk_report.lua.
local counter = 0
local counties = {}
local credit_code = ""
local weights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
local checks = "10X98765432"

function init(args)
  counter = tonumber(os.getenv("HRSS_BENCH_OFFSET") or "0")
  for code in string.gmatch(os.getenv("HRSS_BENCH_COUNTIES"), "[^,]+") do counties[#counties + 1] = code end
  credit_code = os.getenv("HRSS_BENCH_CREDIT_CODE")
  wrk.method = "POST"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("HRSS_BENCH_TOKEN")
  wrk.headers["Content-Type"] = "application/json"
end

local function id_number(n)
  local county = counties[n % #counties + 1]
  local rest = math.floor(n / #counties)
  local sequence = rest % 1000
  local day = math.floor(rest / 1000)  -- 28 days x 12 months x 20 years of birth dates
  local first17 = string.format("%s%04d%02d%02d%03d", county, 1980 + math.floor(day / 336) % 20,
    math.floor(day / 28) % 12 + 1, day % 28 + 1, sequence)
  local sum = 0
  for i = 1, 17 do sum = sum + (string.byte(first17, i) - 48) * weights[i] end
  local r = sum % 11
  return first17 .. string.sub(checks, r + 1, r + 1)
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"id_number": "%s", "name": "王小明", "credit_code": "%s", "start_date": "2025-03-01", "occupation": "车工"}',
    id_number(counter), credit_code)
  return wrk.format(nil, nil, nil, body)
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
