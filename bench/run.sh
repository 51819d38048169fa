#!/usr/bin/env bash
# OrleansMock side by side with WireMock, WireMock.Net, Mockoon, json-server, Prism and bare Kestrel, on loopback.
#   bench/run.sh            full run: 10 s warm-up, 3 x 10 s at 32 connections, 1 x 10 s at 256, per server
#   bench/run.sh --quick    a smoke run: 3 s warm-up, 1 x 5 s at each concurrency
#   BENCH_ONLY="kestrel orleansmock" bench/run.sh   only those servers (names as in the table)
# Needs: dotnet, wrk (apt-get install wrk), node + npm and java 17 for the peers (installed into bench/.tools).
# Writes bench/results/<date>.md and bench/results/latest.md, and prints the table.
set -uo pipefail
cd "$(dirname "$0")"
BENCH=$(pwd)
ROOT=$(cd .. && pwd)

WARMUP=10; DURATION=10; REPS=3; CONNS=32; HICONNS=256; THREADS=2; MANY_SUBJECTS_SECONDS=${BENCH_MANY_SUBJECTS_SECONDS:-60}
if [ "${1:-}" = "--quick" ]; then WARMUP=3; DURATION=5; REPS=1; MANY_SUBJECTS_SECONDS=15; fi
ONLY=" ${BENCH_ONLY:-} "
TICKS=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/orleansmock-bench.XXXXXX)
ROWS="$WORK/rows.md"; NOTES="$WORK/notes.md"; : > "$ROWS"; : > "$NOTES"
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT

log() { printf '[bench] %s\n' "$*" >&2; }
wanted() { [ "$ONLY" = "  " ] || [[ "$ONLY" == *" $1 "* ]]; }
wait_http() { for _ in $(seq 1 120); do curl -s -o /dev/null "$1" && return 0; sleep 0.5; done; return 1; }
# cpu_ticks / rss_mb "<pid> [pid...]": summed over the processes of one server (cluster mode has three)
cpu_ticks() { local t=0 p; for p in $1; do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }
rss_mb() { local p; for p in $1; do cat "/proc/$p/status" 2>/dev/null; done | awk '/VmRSS/ { kb += $2; n++ } END { if (n) printf "%.0f", kb / 1024; else print "?" }'; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<< "$2"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# wrk_run <url> <connections> <seconds> -> the RESULT line
wrk_run() { wrk -t"$THREADS" -c"$2" -d"${3}s" --timeout 5s -s "$BENCH/wrk.lua" "$1" 2>&1 | grep '^RESULT' || echo "RESULT requests=0 rps=0 p50_us=0 p95_us=0 p99_us=0 errors=1 non2xx=0"; }

# measure <name> "<pid> [pid...]" <url> <scenario> [baseline-rps]: warm-up, REPS runs at CONNS, one at HICONNS; appends a table row
measure() {
  local name=$1 pid=$2 url=$3 scenario=$4
  log "$name / $scenario: warm-up ${WARMUP}s"
  wrk_run "$url" "$CONNS" "$WARMUP" > /dev/null
  local before; before=$(cpu_ticks "$pid")
  local results=() total=0 errors=0
  for _ in $(seq 1 "$REPS"); do
    local r; r=$(wrk_run "$url" "$CONNS" "$DURATION"); results+=("$r")
    total=$((total + $(field requests "$r"))); errors=$((errors + $(field errors "$r") + $(field non2xx "$r")))
  done
  local after; after=$(cpu_ticks "$pid")
  local rps p50 p95 p99
  rps=$(for r in "${results[@]}"; do field rps "$r"; done | median)
  p50=$(for r in "${results[@]}"; do field p50_us "$r"; done | median)
  p95=$(for r in "${results[@]}"; do field p95_us "$r"; done | median)
  p99=$(for r in "${results[@]}"; do field p99_us "$r"; done | median)
  local cpu_us="?"; [ "$total" -gt 0 ] && cpu_us=$(awk -v t=$((after - before)) -v hz="$TICKS" -v n="$total" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
  local hi; hi=$(wrk_run "$url" "$HICONNS" "$DURATION")
  errors=$((errors + $(field errors "$hi") + $(field non2xx "$hi")))
  local rss; rss=$(rss_mb "$pid")
  printf '| %s | %s | %.0f | %s | %.2f | %.2f | %.2f | %.0f | %.2f | %s | %s |\n' "$name" "$scenario" "$rps" "BASE:$scenario" \
    "$(awk -v v="$p50" 'BEGIN{print v/1000}')" "$(awk -v v="$p95" 'BEGIN{print v/1000}')" "$(awk -v v="$p99" 'BEGIN{print v/1000}')" \
    "$(field rps "$hi")" "$(awk -v v="$(field p99_us "$hi")" 'BEGIN{print v/1000}')" "$cpu_us" "$errors / $rss" >> "$ROWS"
  echo "$rps"
}

start() { # start <name> <log> <command...>; sets STARTED_PID
  local name=$1 logfile=$2; shift 2
  "$@" > "$logfile" 2>&1 &
  STARTED_PID=$!; PIDS+=("$STARTED_PID")
}
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

command -v wrk >/dev/null || { log "wrk is missing: apt-get install -y wrk"; exit 1; }
log "building OrleansMock and the .NET peers in Release"
dotnet build -c Release "$ROOT/api/OrleansMock.Api.csproj" -v q -nologo > "$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
dotnet build -c Release "$ROOT/silo/OrleansMock.Silo.csproj" -v q -nologo >> "$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
dotnet build -c Release "$BENCH/kestrel/Bench.Kestrel.csproj" -v q -nologo >> "$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
dotnet build -c Release "$BENCH/wiremock-net/Bench.WireMockNet.csproj" -v q -nologo >> "$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
if [ ! -d "$BENCH/.tools/node_modules/json-server" ]; then
  log "installing the npm peers into bench/.tools"
  # A package.json of our own: `npm init -y` names the package after the folder, and ".tools" is not a valid name.
  (mkdir -p "$BENCH/.tools" && cd "$BENCH/.tools" && { [ -f package.json ] || printf '{"name":"orleansmock-bench-peers","private":true}\n' > package.json; } \
    && npm install --no-audit --no-fund wiremock@3.13.2 json-server@0.17.4 @stoplight/prism-cli@5.16.0 @mockoon/cli@9.9.0 > "$WORK/npm.log" 2>&1) \
    || log "npm install failed: the JS and JVM peers will be missing (see $WORK/npm.log)"
fi
# missing <peer> <why>: a peer that could not run is a loud line in the results, not only in a log
MISSING="$WORK/missing.md"; : > "$MISSING"
missing() { log "MISSING: $1 ($2)"; echo "- **MISSING: $1** — $2" >> "$MISSING"; }
TOOLS="$BENCH/.tools/node_modules"
PATH_STUB="/m/bench/users/1"

# ---- bare Kestrel: the baseline every ratio is against --------------------------------------------------------------
start kestrel "$WORK/kestrel.log" dotnet "$BENCH/kestrel/bin/Release/net10.0/Bench.Kestrel.dll" --urls http://127.0.0.1:18081
wait_http http://127.0.0.1:18081/ && BASE_STUB=$(measure "bare Kestrel" "$STARTED_PID" "http://127.0.0.1:18081$PATH_STUB" "stub GET")
stop "$STARTED_PID"

# ---- OrleansMock, embedded ------------------------------------------------------------------------------------------
# start_orleansmock <port> <per-client limit> [extra env...]: embedded default, Release, limits raised through the public keys
start_orleansmock() {
  local port=$1 limit=$2; shift 2
  local data; data=$(mktemp -d "$WORK/om-data.XXXX")
  start orleansmock "$WORK/om-$port.log" env OrleansMock__DataDir="$data" Logging__LogLevel__Default=Warning \
    OrleansMock__RateLimits__MockPerClient__Limit="$limit" OrleansMock__RateLimits__MockPerProject__Limit=1000000000 \
    OrleansMock__RateLimits__MockPerProject__MaxLimit=1000000000 OrleansMock__RateLimits__Management__Limit=1000000 \
    OrleansMock__Limits__MaxRecordsPerResource=100000000 OrleansMock__Limits__MaxEndpointsPerProject=1000 \
    OrleansMock__Limits__MaxResourceBytes=8000000000 OrleansMock__Limits__MaxAccountBytes=16000000000 \
    OrleansMock__Limits__MaxSessionsPerProject=100000000 OrleansMock__Silo__SiloPort=$((port + 1000)) "$@" \
    dotnet "${OM_DLL:-$ROOT/api/bin/Release/net10.0/OrleansMock.Api.dll}" --urls "http://127.0.0.1:$port"
  wait_http "http://127.0.0.1:$port/healthz"
}
# om_token <port>: registers a fresh user and prints a bearer token for it
om_token() {
  local base="http://127.0.0.1:$1" email="bench-$RANDOM$RANDOM@example.com"
  curl -s -X POST "$base/api/v1/auth/register" -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"bench password\"}" > /dev/null
  curl -s -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"bench password\"}" | sed 's/.*"token":"\([^"]*\)".*/\1/'
}
# om_project <port> <slug>: registers a user, creates the project and the stub endpoint
om_project() {
  local base="http://127.0.0.1:$1" token; token=$(om_token "$1")
  curl -s -X POST "$base/api/v1/projects" -H "Authorization: Bearer $token" -H 'content-type: application/json' -d "{\"name\":\"$2\",\"slug\":\"$2\"}" > /dev/null
  curl -s -X POST "$base/api/v1/projects/$2/endpoints" -H "Authorization: Bearer $token" -H 'content-type: application/json' \
    -d "{\"method\":\"GET\",\"path\":\"/users/{id}\",\"response\":{\"body\":$(cat "$BENCH/stub.json")}}" > /dev/null
  # The mock engine's matched case, in a project of its own (a project whose matchers read the body gets it with
  # every request): three conditions (query, header, JSONPath on the body) and a templated response.
  curl -s -X POST "$base/api/v1/projects" -H "Authorization: Bearer $token" -H 'content-type: application/json' -d "{\"name\":\"$2-match\",\"slug\":\"$2-match\"}" > /dev/null
  curl -s -X POST "$base/api/v1/projects/$2-match/endpoints" -H "Authorization: Bearer $token" -H 'content-type: application/json' -d '{"method":"POST","path":"/orders/{id}",
    "request":{"query":{"mode":{"equalTo":"fast"}},"headers":{"X-Client":{"equalTo":"bench"}},"body":[{"matchesJsonPath":"$.items[?(@.qty > 2)]"}]},
    "response":{"status":201,"template":true,"body":{"id":"{{request.path.id}}","client":"{{request.headers.x-client}}","at":"{{now}}"}}}' > /dev/null
  # Its baseline: a plain POST stub answering the same request (same 1 KB body), no condition, no template.
  curl -s -X POST "$base/api/v1/projects" -H "Authorization: Bearer $token" -H 'content-type: application/json' -d "{\"name\":\"$2-post\",\"slug\":\"$2-post\"}" > /dev/null
  curl -s -X POST "$base/api/v1/projects/$2-post/endpoints" -H "Authorization: Bearer $token" -H 'content-type: application/json' \
    -d '{"method":"POST","path":"/orders/{id}","response":{"status":201,"body":{"ok":true}}}' > /dev/null
}
# A 1 KB order for the matched case.
ORDER_BODY=$(node -e 'const items=[];for(let i=0;i<12;i++)items.push({sku:"sku-"+i,name:"item number "+i+" of the order",qty:i%5});process.stdout.write(JSON.stringify({customer:"bench",items}))' 2>/dev/null || echo '{"items":[{"qty":3}]}')
# om_resources <port>: a project "benchres" with a 1,000-record resource "users" and an empty "posts"
om_resources() {
  local base="http://127.0.0.1:$1" token; token=$(om_token "$1")
  curl -s -X POST "$base/api/v1/projects" -H "Authorization: Bearer $token" -H 'content-type: application/json' -d '{"name":"benchres","slug":"benchres"}' > /dev/null
  node -e 'const d=require(process.argv[1]); process.stdout.write(JSON.stringify({name:"users",seed:d.users}))' "$BENCH/peers/db.json" > "$WORK/users.json"
  curl -s -X POST "$base/api/v1/projects/benchres/resources" -H "Authorization: Bearer $token" -H 'content-type: application/json' --data-binary @"$WORK/users.json" > /dev/null
  curl -s -X POST "$base/api/v1/projects/benchres/resources" -H "Authorization: Bearer $token" -H 'content-type: application/json' -d '{"name":"posts"}' > /dev/null
}
# om_endpoints <port>: a project "bench1k" with 1,000 endpoints of the same shape, /items/i0 ... /items/i999 (one
# WireMock import): the route lookup must not grow with them (compare with the 1-endpoint stub GET)
om_endpoints() {
  local base="http://127.0.0.1:$1" token; token=$(om_token "$1")
  curl -s -X POST "$base/api/v1/projects" -H "Authorization: Bearer $token" -H 'content-type: application/json' -d '{"name":"bench1k","slug":"bench1k"}' > /dev/null
  node -e 'const m=[];for(let i=0;i<1000;i++)m.push({request:{method:"GET",urlPath:"/items/i"+i},response:{status:200,jsonBody:{item:i}}});process.stdout.write(JSON.stringify({mappings:m}))' > "$WORK/mappings.json"
  curl -s -X POST "$base/m/bench1k/__admin/mappings/import" -H "Authorization: Bearer $token" -H 'content-type: application/json' --data-binary @"$WORK/mappings.json" > /dev/null
  curl -s "$base/m/bench1k/items/i500" | grep -q '"item":500' || log "WARNING: the 1,000-endpoint project does not answer /items/i500"
}
if wanted orleansmock; then
  start_orleansmock 18082 1000000000; OM=$STARTED_PID; om_project 18082 bench; om_resources 18082; om_endpoints 18082
  curl -s "http://127.0.0.1:18082$PATH_STUB" | cmp -s - "$BENCH/stub.json" || log "WARNING: OrleansMock's stub bytes differ from stub.json"
  measure "OrleansMock embedded (limiter on)" "$OM" "http://127.0.0.1:18082$PATH_STUB" "stub GET" > /dev/null
  BENCH_METHOD=POST BENCH_BODY="$ORDER_BODY" BENCH_HEADER="X-Client: bench" \
    measure "OrleansMock embedded (limiter on)" "$OM" "http://127.0.0.1:18082/m/bench-match/orders/7?mode=fast" "matched POST (3 conditions, template)" > /dev/null
  BENCH_METHOD=POST BENCH_BODY="$ORDER_BODY" BENCH_HEADER="X-Client: bench" \
    measure "OrleansMock embedded (limiter on)" "$OM" "http://127.0.0.1:18082/m/bench-post/orders/7?mode=fast" "plain POST stub (same 1 KB body)" > /dev/null
  measure "OrleansMock embedded (limiter on)" "$OM" "http://127.0.0.1:18082/m/benchres/users/500" "GET 1 of 1000" > /dev/null
  measure "OrleansMock embedded (limiter on)" "$OM" "http://127.0.0.1:18082/m/bench1k/items/i500" "GET 1 of 1000 endpoints" > /dev/null
  BENCH_METHOD=POST BENCH_BODY='{"title":"bench","body":"a new record"}' \
    measure "OrleansMock embedded (limiter on)" "$OM" "http://127.0.0.1:18082/m/benchres/posts" "POST record" > /dev/null
  # Test sessions (X-Mock-Session), last (each new session stays for its idle time, and the heap with it): traffic
  # spread over 100 sessions, and every request a new session's first (a shorter run).
  BENCH_SESSIONS=100 measure "OrleansMock embedded (limiter on)" "$OM" "http://127.0.0.1:18082$PATH_STUB" "stub GET in 100 sessions" > /dev/null
  WARMUP=2 DURATION=5 REPS=1 BENCH_SESSIONS=new \
    measure "OrleansMock embedded (limiter on)" "$OM" "http://127.0.0.1:18082$PATH_STUB" "stub GET, each a new session's first" > /dev/null
  stop "$OM"
  start_orleansmock 18082 0 OrleansMock__RateLimits__MockPerProject__Limit=0; OM=$STARTED_PID; om_project 18082 bench
  measure "OrleansMock embedded (limiter off)" "$OM" "http://127.0.0.1:18082$PATH_STUB" "stub GET" > /dev/null
  stop "$OM"
  # BENCH_BEFORE_DLL=<path to an older build's OrleansMock.Api.dll>: the same stub GET and POST record on it, in this
  # run, for a before/after.
  if [ -n "${BENCH_BEFORE_DLL:-}" ]; then
    OM_DLL="$BENCH_BEFORE_DLL" start_orleansmock 18082 1000000000; OM=$STARTED_PID; om_project 18082 bench; om_resources 18082; om_endpoints 18082
    measure "OrleansMock before (BENCH_BEFORE_DLL, limiter on)" "$OM" "http://127.0.0.1:18082$PATH_STUB" "stub GET" > /dev/null
    measure "OrleansMock before (BENCH_BEFORE_DLL, limiter on)" "$OM" "http://127.0.0.1:18082/m/bench1k/items/i500" "GET 1 of 1000 endpoints" > /dev/null
    BENCH_METHOD=POST BENCH_BODY='{"title":"bench","body":"a new record"}' \
      measure "OrleansMock before (BENCH_BEFORE_DLL, limiter on)" "$OM" "http://127.0.0.1:18082/m/benchres/posts" "POST record" > /dev/null
    stop "$OM"
  fi
fi

# ---- OrleansMock, cluster mode: one front end and two silos on the same 2 cores (Redis + PostgreSQL on loopback) ------
if wanted cluster && ! { command -v redis-cli > /dev/null && redis-cli -h 127.0.0.1 ping > /dev/null 2>&1; }; then
  missing "OrleansMock cluster (api + 2 silos)" "needs Redis on 127.0.0.1:6379 and PostgreSQL (ConnectionStrings__Postgres)"
fi
if wanted cluster && command -v redis-cli > /dev/null && redis-cli -h 127.0.0.1 ping > /dev/null 2>&1; then
  cluster_env=(ConnectionStrings__Redis=127.0.0.1:6379 OrleansMock__Storage__Provider=Postgres
    "ConnectionStrings__Postgres=${ConnectionStrings__Postgres:-Host=127.0.0.1;Username=orleansmock;Password=orleansmock;Database=orleansmock}"
    OrleansMock__Cluster__ClusterId="bench-$(date +%s)" OrleansMock__Silo__AdvertisedAddress=127.0.0.1 Logging__LogLevel__Default=Warning
    OrleansMock__Auth__SigningKey="$(head -c 48 /dev/urandom | base64 -w0)"
    OrleansMock__RateLimits__MockPerProject__Limit=1000000000 OrleansMock__RateLimits__MockPerProject__MaxLimit=1000000000)
  silo_pids=()
  for i in 1 2; do
    start silo "$WORK/silo$i.log" env "${cluster_env[@]}" OrleansMock__Silo__SiloPort=2222$i OrleansMock__Silo__GatewayPort=3222$i \
      dotnet "$ROOT/silo/bin/Release/net10.0/OrleansMock.Silo.dll" --urls "http://127.0.0.1:1809$i"
    silo_pids+=("$STARTED_PID")
  done
  for i in 1 2; do wait_http "http://127.0.0.1:1809$i/readyz"; done
  start api "$WORK/cluster-api.log" env "${cluster_env[@]}" OrleansMock__Mode=Cluster OrleansMock__RateLimits__MockPerClient__Limit=1000000000 \
    OrleansMock__RateLimits__MockPerProject__Limit=1000000000 OrleansMock__RateLimits__MockPerProject__MaxLimit=1000000000 \
    dotnet "$ROOT/api/bin/Release/net10.0/OrleansMock.Api.dll" --urls http://127.0.0.1:18090
  API=$STARTED_PID
  for _ in $(seq 1 60); do curl -sf http://127.0.0.1:18090/readyz > /dev/null && break; sleep 1; done
  om_project 18090 bench
  measure "OrleansMock cluster (api + 2 silos)" "$API ${silo_pids[*]}" "http://127.0.0.1:18090$PATH_STUB" "stub GET" > /dev/null
  stop "$API"; for p in "${silo_pids[@]}"; do stop "$p"; done
  echo "Cluster mode: CPU us/req and RSS are summed over the front end and both silos." >> "$NOTES"; echo >> "$NOTES"
fi

# ---- WireMock.Net (Minimal 2.21.0) ----------------------------------------------------------------------------------
if wanted wiremock-net; then
  for mode in default nolog; do
    start wiremock-net "$WORK/wmn-$mode.log" dotnet "$BENCH/wiremock-net/bin/Release/net10.0/Bench.WireMockNet.dll" 18083 "$mode"
    wait_http http://127.0.0.1:18083$PATH_STUB && measure "WireMock.Net ($mode)" "$STARTED_PID" "http://127.0.0.1:18083$PATH_STUB" "stub GET" > /dev/null
    stop "$STARTED_PID"
  done
fi

# ---- WireMock standalone (JVM) --------------------------------------------------------------------------------------
JAR=$(ls "$TOOLS"/wiremock/build/wiremock-standalone-*.jar 2>/dev/null | head -1)
if wanted wiremock && { [ -z "$JAR" ] || ! command -v java > /dev/null; }; then
  missing "WireMock 3.13" "needs npm's wiremock package (its jar) and java 17"
fi
if wanted wiremock && [ -n "$JAR" ] && command -v java > /dev/null; then
  for mode in default tuned; do
    flags=(); [ "$mode" = tuned ] && flags=(--no-request-journal --disable-request-logging)
    start wiremock "$WORK/wm-$mode.log" java -jar "$JAR" --port 18084 --root-dir "$BENCH/peers/wiremock" "${flags[@]}"
    wait_http http://127.0.0.1:18084$PATH_STUB && measure "WireMock 3.13 ($mode)" "$STARTED_PID" "http://127.0.0.1:18084$PATH_STUB" "stub GET" > /dev/null
    stop "$STARTED_PID"
  done
fi

# ---- json-server 0.17.4: stub GET, one record of 1,000, and POST -----------------------------------------------------
if wanted json-server && [ ! -d "$TOOLS/json-server" ]; then missing "json-server 0.17.4" "npm install of the peers failed (see the run's npm.log)"; fi
if wanted json-server && [ -d "$TOOLS/json-server" ]; then
  cp "$BENCH/peers/db.json" "$WORK/db.json"
  start json-server "$WORK/json-server.log" node "$TOOLS/json-server/lib/cli/bin.js" "$WORK/db.json" --port 18085 --routes "$BENCH/peers/routes.json" --quiet
  if wait_http http://127.0.0.1:18085/users/1; then
    measure "json-server 0.17.4" "$STARTED_PID" "http://127.0.0.1:18085$PATH_STUB" "stub GET" > /dev/null
    measure "json-server 0.17.4" "$STARTED_PID" "http://127.0.0.1:18085/m/bench/users/500" "GET 1 of 1000" > /dev/null
    BENCH_METHOD=POST BENCH_BODY='{"title":"bench","body":"a new record"}' \
      measure "json-server 0.17.4" "$STARTED_PID" "http://127.0.0.1:18085/m/bench/posts" "POST record" > /dev/null
  fi
  stop "$STARTED_PID"
fi

# ---- Prism and Mockoon: the stub from one OpenAPI document ----------------------------------------------------------
if wanted prism && [ ! -d "$TOOLS/@stoplight/prism-cli" ]; then missing "Prism 5.16" "npm install of the peers failed (see the run's npm.log)"; fi
if wanted prism && [ -d "$TOOLS/@stoplight/prism-cli" ]; then
  start prism "$WORK/prism.log" node "$TOOLS/@stoplight/prism-cli/dist/index.js" mock "$BENCH/peers/openapi.json" -p 18086 -h 127.0.0.1
  wait_http http://127.0.0.1:18086$PATH_STUB && measure "Prism 5.16" "$STARTED_PID" "http://127.0.0.1:18086$PATH_STUB" "stub GET" > /dev/null
  stop "$STARTED_PID"
fi
if wanted mockoon && [ ! -d "$TOOLS/@mockoon/cli" ]; then missing "Mockoon CLI 9.9" "npm install of the peers failed (see the run's npm.log)"; fi
if wanted mockoon && [ -d "$TOOLS/@mockoon/cli" ]; then
  start mockoon "$WORK/mockoon.log" node "$TOOLS/@mockoon/cli/bin/run" start --data "$BENCH/peers/mockoon.json" --port 18087
  wait_http http://127.0.0.1:18087$PATH_STUB && measure "Mockoon CLI 9.9" "$STARTED_PID" "http://127.0.0.1:18087$PATH_STUB" "stub GET" > /dev/null
  stop "$STARTED_PID"
fi

# ---- Rate limits: flood isolation, and a million distinct clients ----------------------------------------------------
if wanted flood; then
  # Tenant B: normal traffic from 10,000 clients behind the (trusted) loopback proxy, each under its 1,000/min limit
  # (about 150 requests each over the warm-up and both runs; with 1,000 clients a fast server pushes them over it).
  # Tenant A: one client flooding far above that limit. Both on one OrleansMock.
  start_orleansmock 18088 1000 OrleansMock__ForwardedHeaders__KnownProxies__0=127.0.0.1; OM=$STARTED_PID
  om_project 18088 tenant-a; om_project 18088 tenant-b
  BENCH_XFF_POOL=10000 wrk_run "http://127.0.0.1:18088/m/tenant-b/users/1" 8 "$WARMUP" > /dev/null
  alone=$(BENCH_XFF_POOL=10000 wrk_run "http://127.0.0.1:18088/m/tenant-b/users/1" 8 "$DURATION")
  BENCH_XFF=192.0.2.1 wrk -t1 -c64 -d"$((DURATION + 2))s" -s "$BENCH/wrk.lua" "http://127.0.0.1:18088/m/tenant-a/users/1" > "$WORK/flood.txt" 2>&1 &
  FLOOD=$!; sleep 1
  flooded=$(BENCH_XFF_POOL=10000 wrk_run "http://127.0.0.1:18088/m/tenant-b/users/1" 8 "$DURATION")
  wait "$FLOOD"; a=$(grep '^RESULT' "$WORK/flood.txt")
  {
    echo "### Flood isolation (rate limit 1,000 / 60 s per client)"
    echo
    echo "| traffic | req/s | p50 ms | p99 ms | non-2xx |"
    echo "|---|---|---|---|---|"
    echo "| tenant B alone (8 connections, 10,000 clients) | $(field rps "$alone") | $(awk -v v="$(field p50_us "$alone")" 'BEGIN{print v/1000}') | $(awk -v v="$(field p99_us "$alone")" 'BEGIN{print v/1000}') | $(field non2xx "$alone") |"
    echo "| tenant B during A's flood | $(field rps "$flooded") | $(awk -v v="$(field p50_us "$flooded")" 'BEGIN{print v/1000}') | $(awk -v v="$(field p99_us "$flooded")" 'BEGIN{print v/1000}') | $(field non2xx "$flooded") |"
    echo "| tenant A flood (64 connections, one client) | $(field rps "$a") | $(awk -v v="$(field p50_us "$a")" 'BEGIN{print v/1000}') | $(awk -v v="$(field p99_us "$a")" 'BEGIN{print v/1000}') | $(field non2xx "$a") (429s) |"
    echo
    echo "B's p99 during the flood is $(awk -v x="$(field p99_us "$flooded")" -v y="$(field p99_us "$alone")" 'BEGIN{printf "%.2f", x / y}')x its p99 alone (target: within 2x)."
    echo
  } >> "$NOTES"
  stop "$OM"

  # A million distinct clients: every request from a fresh random address (so a fresh rate-limit subject), this build
  # and, with BENCH_BEFORE_DLL, the build before in the same run.
  {
    echo "### Distinct clients (every request from a new random address, ${MANY_SUBJECTS_SECONDS} s, 32 connections, after a ${WARMUP} s warm-up from 1,000 addresses)"
    echo
    echo "| build | requests (= distinct subjects) | req/s | p99 ms | server RSS before -> after, MB | RSS growth per subject, bytes |"
    echo "|---|---|---|---|---|---|"
  } >> "$NOTES"
  for build in current ${BENCH_BEFORE_DLL:+before}; do
    dll=""; [ "$build" = before ] && dll="$BENCH_BEFORE_DLL"
    OM_DLL="${dll:-${OM_DLL:-}}" start_orleansmock 18089 1000 OrleansMock__ForwardedHeaders__KnownProxies__0=127.0.0.1; OM=$STARTED_PID; om_project 18089 bench
    # Warmed up first (JIT, pools, the shard grains active) from a thousand clients, so the growth is the subjects'.
    BENCH_XFF_POOL=1000 wrk_run "http://127.0.0.1:18089$PATH_STUB" 32 "$WARMUP" > /dev/null; sleep 2
    rss_before=$(rss_mb "$OM")
    many=$(BENCH_XFF_POOL=random wrk_run "http://127.0.0.1:18089$PATH_STUB" 32 "$MANY_SUBJECTS_SECONDS")
    sleep 2; rss_after=$(rss_mb "$OM")
    echo "| $build | $(field requests "$many") | $(field rps "$many") | $(awk -v v="$(field p99_us "$many")" 'BEGIN{print v/1000}') | $rss_before -> $rss_after | $(awk -v a="$rss_after" -v b="$rss_before" -v n="$(field requests "$many")" 'BEGIN{ if (n > 0) printf "%.0f", (a - b) * 1048576 / n; else print "?" }') |" >> "$NOTES"
    stop "$OM"
  done
  echo >> "$NOTES"
fi

# ---- the table --------------------------------------------------------------------------------------------------------
STAMP=$(date -u +%Y-%m-%d-%H%M)
OUT="$BENCH/results/$STAMP.md"
{
  echo "# OrleansMock benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  settings=$(env | grep -E '^DOTNET_' | sort | tr '\n' ' ')
  [ -z "$settings" ] || { echo "Runtime settings: $settings"; echo; }
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), .NET $(dotnet --version), wrk on loopback, $THREADS wrk threads."
  echo "Runs: ${WARMUP} s warm-up, median of $REPS x ${DURATION} s at $CONNS connections, then 1 x ${DURATION} s at $HICONNS. CPU us/req: server user+system CPU over the $CONNS-connection runs divided by requests."
  echo
  if [ -s "$MISSING" ]; then
    echo "## Peers that did not run"
    echo
    cat "$MISSING"
    echo
  fi
  echo "| server | scenario | req/s @$CONNS | x bare Kestrel | p50 ms | p95 ms | p99 ms | req/s @$HICONNS | p99 ms @$HICONNS | CPU us/req | errors / RSS MB after |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  while IFS= read -r row; do
    rps=$(awk -F'|' '{ print $4 }' <<< "$row" | tr -d ' ')
    ratio="n/a"; [ -n "${BASE_STUB:-}" ] && ratio=$(awk -v a="$rps" -v b="$BASE_STUB" 'BEGIN { printf "%.2f", a / b }')
    sed -E "s/BASE:[^|]*/$ratio/" <<< "$row"
  done < "$ROWS"
  echo
  cat "$NOTES"
} > "$OUT"
cp "$OUT" "$BENCH/results/latest.md"
cat "$OUT"
