#!/usr/bin/env bash
# The front end's answer cache (issue 32.2) in one invocation: bare Kestrel serving the same bytes, and the same
# Release build of the embedded service twice, with the cache (the default) and without it
# (OrleansMock__Limits__AnswerCache=false), rate limiter on (per client and per project, limits out of reach) and the
# request journal on. wrk on 127.0.0.1, 32 connections. Steady state is what is compared: each server is first warmed
# for 15 s (BENCH_WARMUP; our process has ~20k methods for the JIT to tier up, bare Kestrel a few hundred), and the
# results say how much the JIT still compiled in the cached server during the measured rounds. Then ten rounds of 3 s
# rows in turn (BENCH_ROUNDS, BENCH_SECONDS): this machine's speed drifts by ±10% over seconds, so short rows side by
# side, many times, pair each row with a bare-Kestrel row of the same moment; medians at the end.
# With Redis on 127.0.0.1:6379 and PostgreSQL (ConnectionStrings__Postgres, default as in bench/run.sh), a fourth row:
# cluster mode, one front end and two silos on the same cores (CPU summed over the three processes), with the cache.
#   bench/answer-cache.sh     -> bench/results/<date>-answer-cache.md
set -uo pipefail
cd "$(dirname "$0")"
BENCH=$(pwd); ROOT=$(cd .. && pwd); TICKS=$(getconf CLK_TCK)
command -v wrk > /dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
dotnet build -c Release "$ROOT/api/OrleansMock.Api.csproj" -v q -nologo -p:SkipConsoleBuild=true > /tmp/orleansmock-cache-build.log 2>&1 || { cat /tmp/orleansmock-cache-build.log; exit 1; }
dotnet build -c Release "$BENCH/kestrel/Bench.Kestrel.csproj" -v q -nologo >> /tmp/orleansmock-cache-build.log 2>&1 || { cat /tmp/orleansmock-cache-build.log; exit 1; }
CLUSTER=""
if command -v redis-cli > /dev/null && redis-cli -h 127.0.0.1 ping > /dev/null 2>&1; then
  dotnet build -c Release "$ROOT/silo/OrleansMock.Silo.csproj" -v q -nologo >> /tmp/orleansmock-cache-build.log 2>&1 || { cat /tmp/orleansmock-cache-build.log; exit 1; }
  CLUSTER=1
fi
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null' EXIT
wait_http() { for _ in $(seq 1 120); do curl -s -o /dev/null "$1" && return 0; sleep 0.5; done; echo "no answer from $1" >&2; exit 1; }

dotnet "$BENCH/kestrel/bin/Release/net10.0/Bench.Kestrel.dll" --urls http://127.0.0.1:18281 > /tmp/orleansmock-cache-kestrel.log 2>&1 &
PIDS+=($!); KESTREL=$!
# start_om <port> <AnswerCache>: the embedded service with a project "bench" and the stub endpoint; prints its pid
start_om() {
  local port=$1 data; data=$(mktemp -d)
  env OrleansMock__DataDir="$data" Logging__LogLevel__Default=Warning OrleansMock__Limits__AnswerCache="$2" \
    OrleansMock__RateLimits__MockPerClient__Limit=1000000000 OrleansMock__RateLimits__MockPerProject__Limit=1000000000 \
    OrleansMock__RateLimits__MockPerProject__MaxLimit=1000000000 OrleansMock__RateLimits__Management__Limit=1000000 \
    OrleansMock__Silo__SiloPort=$((port + 1000)) \
    dotnet "$ROOT/api/bin/Release/net10.0/OrleansMock.Api.dll" --urls "http://127.0.0.1:$port" > "$data/server.log" 2>&1 &
  echo $!
}
CACHED=$(start_om 18282 true); PIDS+=("$CACHED")
UNCACHED=$(start_om 18283 false); PIDS+=("$UNCACHED")
wait_http http://127.0.0.1:18281/; wait_http http://127.0.0.1:18282/healthz; wait_http http://127.0.0.1:18283/healthz
PORTS="18282 18283"
if [ -n "$CLUSTER" ]; then
  cluster_env=(ConnectionStrings__Redis=127.0.0.1:6379 OrleansMock__Storage__Provider=Postgres
    "ConnectionStrings__Postgres=${ConnectionStrings__Postgres:-Host=127.0.0.1;Username=orleansmock;Password=orleansmock;Database=orleansmock}"
    OrleansMock__Cluster__ClusterId="cache-$(date +%s)" OrleansMock__Silo__AdvertisedAddress=127.0.0.1 Logging__LogLevel__Default=Warning
    OrleansMock__Auth__SigningKey="$(head -c 48 /dev/urandom | base64 -w0)" OrleansMock__RateLimits__Management__Limit=1000000
    OrleansMock__RateLimits__MockPerProject__Limit=1000000000 OrleansMock__RateLimits__MockPerProject__MaxLimit=1000000000)
  SILOS=()
  for i in 1 2; do
    env "${cluster_env[@]}" OrleansMock__Silo__SiloPort=2232$i OrleansMock__Silo__GatewayPort=3232$i \
      dotnet "$ROOT/silo/bin/Release/net10.0/OrleansMock.Silo.dll" --urls "http://127.0.0.1:1829$i" > /tmp/orleansmock-cache-silo$i.log 2>&1 &
    PIDS+=($!); SILOS+=($!)
  done
  for i in 1 2; do wait_http "http://127.0.0.1:1829$i/readyz"; done
  env "${cluster_env[@]}" OrleansMock__Mode=Cluster OrleansMock__RateLimits__MockPerClient__Limit=1000000000 \
    dotnet "$ROOT/api/bin/Release/net10.0/OrleansMock.Api.dll" --urls http://127.0.0.1:18284 > /tmp/orleansmock-cache-api.log 2>&1 &
  PIDS+=($!); FRONT=$!
  for _ in $(seq 1 60); do curl -sf http://127.0.0.1:18284/readyz > /dev/null && break; sleep 1; done
  PORTS="$PORTS 18284"
fi
for port in $PORTS; do
  base="http://127.0.0.1:$port" email="bench-$RANDOM$RANDOM@example.com"
  curl -s -X POST "$base/api/v1/auth/register" -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"bench password\"}" > /dev/null
  token=$(curl -s -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"bench password\"}" | sed 's/.*"token":"\([^"]*\)".*/\1/')
  curl -s -X POST "$base/api/v1/projects" -H "Authorization: Bearer $token" -H 'content-type: application/json' -d '{"name":"bench","slug":"bench"}' > /dev/null
  curl -s -X POST "$base/api/v1/projects/bench/endpoints" -H "Authorization: Bearer $token" -H 'content-type: application/json' \
    -d "{\"method\":\"GET\",\"path\":\"/users/{id}\",\"response\":{\"body\":$(cat "$BENCH/stub.json")}}" > /dev/null
done

field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<< "$2"; }
# row <label> "<pid...>" <url>: one 5 s wrk run at 32 connections; prints "label rps p50 p99 cpu errors"
cpu() { local t=0 p; for p in $1; do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$t"; }
SECONDS_PER_ROW=${BENCH_SECONDS:-3}
row() {
  local before after r n
  before=$(cpu "$2")
  r=$(wrk -t1 -c32 -d"${4:-$SECONDS_PER_ROW}s" --timeout 5s -s "$BENCH/wrk.lua" "$3" | grep '^RESULT')
  after=$(cpu "$2")
  n=$(field requests "$r")
  printf '%s\t%.0f\t%.3f\t%.3f\t%.1f\t%s\n' "$1" "$(field rps "$r")" "$(awk -v v="$(field p50_us "$r")" 'BEGIN { print v / 1000 }')" \
    "$(awk -v v="$(field p99_us "$r")" 'BEGIN { print v / 1000 }')" "$(awk -v t=$((after - before)) -v hz="$TICKS" -v n="$n" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')" \
    "$(( $(field errors "$r") + $(field non2xx "$r") ))"
}
KURL=http://127.0.0.1:18281/users/1
WARMUP=${BENCH_WARMUP:-15}
row warm-up "$KESTREL" "$KURL" "$WARMUP" > /dev/null
row warm-up "$CACHED" http://127.0.0.1:18282/m/bench/users/1 "$WARMUP" > /dev/null
row warm-up "$UNCACHED" http://127.0.0.1:18283/m/bench/users/1 "$WARMUP" > /dev/null
[ -n "$CLUSTER" ] && row warm-up "$FRONT ${SILOS[*]}" http://127.0.0.1:18284/m/bench/users/1 "$WARMUP" > /dev/null
# jit <port>: "<methods compiled> <seconds in the JIT>" since the process started, from its /metrics
jit() { curl -s "http://127.0.0.1:$1/metrics" | awk '/^dotnet_jit_compiled_methods_total/ { m = $2 } /^dotnet_jit_compilation_time_seconds_total/ { t = $2 } END { print m + 0, t + 0 }'; }
JIT_BEFORE=$(jit 18282)
ROWS=$(mktemp); PER_ROUND=$([ -n "$CLUSTER" ] && echo 4 || echo 3)
ROUNDS=${BENCH_ROUNDS:-10}
for round in $(seq 1 "$ROUNDS"); do
  row "bare Kestrel" "$KESTREL" "$KURL" >> "$ROWS"
  row "OrleansMock, answer cache" "$CACHED" http://127.0.0.1:18282/m/bench/users/1 >> "$ROWS"
  row "OrleansMock, no answer cache" "$UNCACHED" http://127.0.0.1:18283/m/bench/users/1 >> "$ROWS"
  [ -n "$CLUSTER" ] && row "OrleansMock cluster (front end + 2 silos), answer cache" "$FRONT ${SILOS[*]}" http://127.0.0.1:18284/m/bench/users/1 >> "$ROWS"
done
JIT_AFTER=$(jit 18282)
OUT="$BENCH/results/$(date -u +%Y-%m-%d-%H%M)-answer-cache.md"
{
  echo "# Front-end answer cache, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Stub GET, embedded service (Release), limiter and journal on; $(nproc) cores shared with wrk; 32 connections; each server"
  echo "warmed for $WARMUP s, then $ROUNDS rounds in turn of $SECONDS_PER_ROW s per row. CPU us/req: the server's user+system CPU over"
  echo "the row's requests. x bare: req/s against the same round's bare Kestrel. The cached server's JIT during the rounds:"
  awk -v a="$JIT_BEFORE" -v b="$JIT_AFTER" 'BEGIN { split(a, x, " "); split(b, y, " ");
    printf "%d methods compiled, %.2f s of JIT time (what still tiers up: the code that opens and closes the new connections of every row, as in bare Kestrel, and code run by timers).\n", y[1] - x[1], y[2] - x[2] }'
  echo
  echo "| round | server | req/s | x bare | p50 ms | p99 ms | CPU us/req | errors |"
  echo "|---|---|---|---|---|---|---|---|"
  awk -F'\t' -v n="$PER_ROUND" '{ r = int((NR - 1) / n) + 1; if ($1 == "bare Kestrel") bare = $2;
    printf "| %d | %s | %s | %.2fx | %s | %s | %s | %s |\n", r, $1, $2, $2 / bare, $3, $4, $5, $6 }' "$ROWS"
  echo
  echo "Medians of the $ROUNDS rounds:"
  echo
  echo "| server | req/s | x bare | p99 ms | CPU us/req |"
  echo "|---|---|---|---|---|"
  awk -F'\t' -v n="$PER_ROUND" '{ r = int((NR - 1) / n); if ($1 == "bare Kestrel") bare[r] = $2; rps[$1] = rps[$1] " " $2; ratio[$1] = ratio[$1] " " ($2 / bare[r]);
      p99[$1] = p99[$1] " " $4; cpu[$1] = cpu[$1] " " $5; order[NR] = $1 }
    function median(s,   a, n, i, j, t) { n = split(s, a, " ");
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return a[int((n + 1) / 2)] }
    END { for (i = 1; i <= n; i++) { k = order[i];
      printf "| %s | %.0f | %.2fx | %.3f | %.1f |\n", k, median(rps[k]), median(ratio[k]), median(p99[k]), median(cpu[k]) } }' "$ROWS"
} | tee "$OUT"
