-- wrk script for bench/projects.sh: each request goes to the next project (round robin over the slugs in
-- $BENCH_SLUGS, a Lua file answering a table) and one of its 5 endpoints, with the headers a browser-like client sends.
local slugs = dofile(os.getenv("BENCH_SLUGS"))
local n = 0
setup = function(thread) thread:set("offset", math.random(0, #slugs - 1)) end
request = function()
  n = n + 1
  local i = (n + offset) % #slugs
  local path = string.format("/m/%s/items%d/%d", slugs[i + 1], math.floor(n / #slugs) % 5, n % 997)
  return wrk.format("GET", path, {
    ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) bench/projects",
    ["Accept"] = "application/json, text/plain, */*",
    ["Accept-Language"] = "en-GB,en;q=0.9",
    ["X-Request-Id"] = string.format("req-%d-%d", offset, n),
  })
end
