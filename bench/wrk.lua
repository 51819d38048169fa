-- wrk script for bench/run.sh: optional method/body/forwarded-for from the environment, and one machine-readable
-- summary line with the percentiles wrk's own report lacks (p95).
local method = os.getenv("BENCH_METHOD")
if method then wrk.method = method end
local body = os.getenv("BENCH_BODY")
if body then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
local header = os.getenv("BENCH_HEADER")
if header then
  local name, value = header:match("^([^:]+):%s*(.*)$")
  wrk.headers[name] = value
end
local xff = os.getenv("BENCH_XFF")
if xff then wrk.headers["X-Forwarded-For"] = xff end

-- BENCH_XFF_POOL=N: each request comes from one of N client addresses (many users behind a trusted proxy);
-- BENCH_XFF_POOL=random: every request from a fresh random address (a million distinct subjects).
local pool = os.getenv("BENCH_XFF_POOL")
if pool then
  local size = tonumber(pool)
  local n = 0
  setup = function(thread) thread:set("seed", math.random(1, 1000000)) end
  init = function() math.randomseed(seed) end
  request = function()
    n = n + 1
    local v = size and (n % size) or math.random(0, 2147483647)
    wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.floor(v / 65536) % 256, math.floor(v / 256) % 256, v % 256)
    return wrk.format()
  end
end

-- BENCH_SESSIONS=N: each request runs in one of N test sessions (X-Mock-Session: s0 ... s{N-1}), in turn;
-- BENCH_SESSIONS=new: every request starts a session of its own (the cost of a session's first request).
local sessions = os.getenv("BENCH_SESSIONS")
if sessions then
  local size = tonumber(sessions)
  local n = 0
  local id = 0
  setup = function(thread) id = id + 1; thread:set("tid", id) end
  request = function()
    n = n + 1
    wrk.headers["X-Mock-Session"] = size and ("s" .. (n % size)) or string.format("t%d-%d-%d", tid, os.time(), n)
    return wrk.format()
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d seconds=%.3f rps=%.1f p50_us=%d p95_us=%d p99_us=%d errors=%d non2xx=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
