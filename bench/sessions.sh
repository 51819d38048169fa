#!/usr/bin/env bash
# Test sessions (X-Mock-Session) against plain traffic on the same stub, in one invocation: the embedded service in
# Release, wrk on 127.0.0.1, 5 s per row, first with one connection (each request's own cost, sequential), then with 32.
#   bench/sessions.sh     -> bench/results/<date>-sessions.md
# Rows: no session (the baseline) / one of 100 sessions in turn / every request a new session's first.
set -uo pipefail
cd "$(dirname "$0")"
BENCH=$(pwd); ROOT=$(cd .. && pwd); PORT=18182; TICKS=$(getconf CLK_TCK)
command -v wrk > /dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
dotnet build -c Release "$ROOT/api/OrleansMock.Api.csproj" -v q -nologo > /tmp/orleansmock-sessions-build.log 2>&1 || { cat /tmp/orleansmock-sessions-build.log; exit 1; }
DATA=$(mktemp -d)
env OrleansMock__DataDir="$DATA" Logging__LogLevel__Default=Warning OrleansMock__RateLimits__MockPerClient__Limit=0 \
  OrleansMock__RateLimits__MockPerProject__Limit=0 OrleansMock__RateLimits__Management__Limit=0 \
  OrleansMock__Limits__MaxSessionsPerProject=100000000 OrleansMock__Silo__SiloPort=$((PORT + 1000)) \
  dotnet "$ROOT/api/bin/Release/net10.0/OrleansMock.Api.dll" --urls "http://127.0.0.1:$PORT" > "$DATA/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait 2>/dev/null' EXIT
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 120); do curl -s -o /dev/null "$BASE/healthz" && break; sleep 0.5; done
email="bench-$RANDOM$RANDOM@example.com"
curl -s -X POST "$BASE/api/v1/auth/register" -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"bench password\"}" > /dev/null
TOKEN=$(curl -s -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"bench password\"}" | sed 's/.*"token":"\([^"]*\)".*/\1/')
curl -s -X POST "$BASE/api/v1/projects" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"name":"bench","slug":"bench"}' > /dev/null
curl -s -X POST "$BASE/api/v1/projects/bench/endpoints" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d "{\"method\":\"GET\",\"path\":\"/users/{id}\",\"response\":{\"body\":$(cat "$BENCH/stub.json")}}" > /dev/null
URL="$BASE/m/bench/users/1"
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<< "$2"; }
# row <label> <connections> [env...]: one 5 s wrk run; req/s, p50/p99 and the server's CPU per request
row() {
  local label=$1 conns=$2; shift 2
  local before after r n
  before=$(awk '{ print $14 + $15 }' "/proc/$PID/stat")
  r=$(env "$@" wrk -t1 -c"$conns" -d5s --timeout 5s -s "$BENCH/wrk.lua" "$URL" | grep '^RESULT')
  after=$(awk '{ print $14 + $15 }' "/proc/$PID/stat")
  n=$(field requests "$r")
  printf '| %s | %s | %.0f | %.3f | %.3f | %s | %s |\n' "$label" "$conns" "$(field rps "$r")" "$(awk -v v="$(field p50_us "$r")" 'BEGIN { print v / 1000 }')" \
    "$(awk -v v="$(field p99_us "$r")" 'BEGIN { print v / 1000 }')" "$(awk -v t=$((after - before)) -v hz="$TICKS" -v n="$n" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')" \
    "$(( $(field errors "$r") + $(field non2xx "$r") ))"
}
row warm-up 32 BENCH_X=1 > /dev/null; row warm-up 32 BENCH_SESSIONS=100 > /dev/null
OUT="$BENCH/results/$(date -u +%Y-%m-%d-%H%M)-sessions.md"
{
  echo "# Test sessions, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Embedded service (Release), one stub GET; $(nproc) cores. CPU us/req: the server's user+system CPU over the row's requests."
  echo
  echo "| requests | connections | req/s | p50 ms | p99 ms | CPU us/req | errors |"
  echo "|---|---|---|---|---|---|---|"
  for conns in 1 32; do
    row "no session (baseline)" "$conns" BENCH_X=1
    row "one of 100 sessions in turn" "$conns" BENCH_SESSIONS=100
    row "each a new session's first" "$conns" BENCH_SESSIONS=new
  done
} | tee "$OUT"
