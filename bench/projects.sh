#!/usr/bin/env bash
# Memory per active project (issue 32.3): RSS of the embedded service before and after defining <projects> projects of
# 5 endpoints, and after filling every project's request journal to its retention (RequestLogSize, default 500) with
# browser-like GETs spread round robin over the projects.
#   bench/projects.sh [projects=1000]        OM_DLL=<path> bench/projects.sh   (another build, e.g. the one before a change)
#   BENCH_GCDUMP=1: also a heap summary (dotnet-gcdump, `dotnet tool install --global dotnet-gcdump`) at each stage
# Prints one table; writes bench/results/<date>-projects.md.
set -uo pipefail
cd "$(dirname "$0")"
BENCH=$(pwd); ROOT=$(cd .. && pwd)
PROJECTS=${1:-1000}; RETENTION=${BENCH_RETENTION:-500}
WORK=$(mktemp -d /tmp/orleansmock-projects.XXXXXX)
log() { printf '[projects] %s\n' "$*" >&2; }
rss_mb() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
anon_mb() { awk '/RssAnon/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
# The GC's own view after its last collection: memory it holds committed, and the size of the heap it left.
gc_mb() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 ~ "^"m"[{]" { sum += $2 } END { printf "%.1f", sum / 1048576 }'; }
gcdump() {
  [ -n "${BENCH_GCDUMP:-}" ] || return 0
  PATH="$PATH:$HOME/.dotnet/tools" dotnet-gcdump collect -p $PID -o "$WORK/$1.gcdump" > /dev/null 2>&1 \
    && PATH="$PATH:$HOME/.dotnet/tools" dotnet-gcdump report "$WORK/$1.gcdump" 2>/dev/null > "$WORK/$1.heap.txt" \
    && log "heap at $1: $WORK/$1.heap.txt ($(awk 'NR == 1 { print $1 }' "$WORK/$1.heap.txt") bytes of live objects)"
}
command -v wrk >/dev/null || { log "wrk is missing: apt-get install -y wrk"; exit 1; }
if [ -z "${OM_DLL:-}" ]; then
  log "building OrleansMock in Release"
  dotnet build -c Release "$ROOT/api/OrleansMock.Api.csproj" -v q -nologo > "$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
fi
PORT=18182
env OrleansMock__DataDir="$WORK/data" Logging__LogLevel__Default=Warning OrleansMock__Silo__SiloPort=19182 OrleansMock__Silo__GatewayPort=19183 \
  OrleansMock__RateLimits__MockPerClient__Limit=1000000000 OrleansMock__RateLimits__Management__Limit=1000000 OrleansMock__RateLimits__RegisterPerClient__Limit=1000 OrleansMock__RateLimits__LoginPerClient__Limit=1000 \
  OrleansMock__Limits__RequestLogSize="$RETENTION" \
  dotnet "${OM_DLL:-$ROOT/api/bin/Release/net10.0/OrleansMock.Api.dll}" --urls "http://127.0.0.1:$PORT" > "$WORK/service.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 1 120); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.5; done
# Warm-up: one project of its own, its journal filled, so the JIT and the pools are in place before the first reading.
node "$BENCH/projects.mjs" "http://127.0.0.1:$PORT" 1 warm > "$WORK/warm.lua" || exit 1
BENCH_SLUGS="$WORK/warm.lua" wrk -t2 -c16 -d5s -s "$BENCH/projects.lua" "http://127.0.0.1:$PORT" > /dev/null
sleep 3; START=$(rss_mb $PID); START_ANON=$(anon_mb $PID); gcdump warm; START=$(rss_mb $PID); START_ANON=$(anon_mb $PID); START_GC=$(gc_mb dotnet_gc_last_collection_memory_committed_size_bytes); START_HEAP=$(gc_mb dotnet_gc_last_collection_heap_size_bytes)
log "defining $PROJECTS projects x 5 endpoints"
t0=$(date +%s.%N)
node "$BENCH/projects.mjs" "http://127.0.0.1:$PORT" "$PROJECTS" > "$WORK/slugs.lua" || exit 1
t1=$(date +%s.%N)
BENCH_SLUGS="$WORK/slugs.lua" wrk -t2 -c16 -d2s -s "$BENCH/projects.lua" "http://127.0.0.1:$PORT" > /dev/null # activate every project once
sleep 3; DEFINED=$(rss_mb $PID); DEFINED_ANON=$(anon_mb $PID); DEFINED_GC=$(gc_mb dotnet_gc_last_collection_memory_committed_size_bytes); DEFINED_HEAP=$(gc_mb dotnet_gc_last_collection_heap_size_bytes); gcdump defined
log "filling every journal to $RETENTION entries"
total=0; need=$((PROJECTS * RETENTION * 11 / 10)); t2=$(date +%s.%N)
while [ "$total" -lt "$need" ]; do
  n=$(BENCH_SLUGS="$WORK/slugs.lua" wrk -t2 -c32 -d10s -s "$BENCH/projects.lua" "http://127.0.0.1:$PORT" | awk '/requests in/ { print $1 }')
  total=$((total + ${n:-0})); [ "${n:-0}" -gt 0 ] || break
done
t3=$(date +%s.%N)
sleep 5; FULL=$(rss_mb $PID); FULL_ANON=$(anon_mb $PID); FULL_GC=$(gc_mb dotnet_gc_last_collection_memory_committed_size_bytes); FULL_HEAP=$(gc_mb dotnet_gc_last_collection_heap_size_bytes); gcdump full; AFTER_GC=$(rss_mb $PID)
per() { awk -v a="$1" -v b="$2" -v n="$PROJECTS" 'BEGIN { printf "%.0f", (b - a) * 1024 / n }'; }
OUT="$BENCH/results/$(date -u +%Y-%m-%d-%H%M)-projects.md"
{
  settings=$(env | grep -E '^(DOTNET_|BENCH_TEMPLATES=)' | sort | tr '\n' ' ')
  echo "### Memory per active project ($(date -u +%Y-%m-%dT%H:%MZ), ${OM_DLL:-this build}; $PROJECTS projects x 5 endpoints (one a template unless BENCH_TEMPLATES=0), retention $RETENTION${settings:+; $settings})"
  echo
  echo "| stage | RSS MB | per project KB | anonymous RSS MB | per project KB | GC committed MB | GC heap MB |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  echo "| warmed up (one project, journal full) | $START | | $START_ANON | | $START_GC | $START_HEAP |"
  printf '| %d projects defined and activated (%.1f s) | %s | %s | %s | %s | %s | %s |\n' "$PROJECTS" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" \
    "$DEFINED" "$(per "$START" "$DEFINED")" "$DEFINED_ANON" "$(per "$START_ANON" "$DEFINED_ANON")" "$DEFINED_GC" "$DEFINED_HEAP"
  printf '| every journal full (%d requests in %.0f s) | %s | %s | %s | %s | %s | %s |\n' "$total" "$(awk -v a="$t2" -v b="$t3" 'BEGIN{print b-a}')" \
    "$FULL" "$(per "$START" "$FULL")" "$FULL_ANON" "$(per "$START_ANON" "$FULL_ANON")" "$FULL_GC" "$FULL_HEAP"
  [ -z "${BENCH_GCDUMP:-}" ] || printf '| the same after the full collection dotnet-gcdump makes | %s | %s | | | | |\n' "$AFTER_GC" "$(per "$START" "$AFTER_GC")"
} | tee "$OUT"
