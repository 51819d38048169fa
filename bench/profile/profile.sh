#!/usr/bin/env bash
# Profiles one running server under wrk load: CPU (sampled thread time) and allocations (gc-verbose), then prints
# both summaries and the allocated bytes per request.
#   bench/profile/profile.sh <pid> <url> [seconds]
#   e.g. start OrleansMock in Release, create a stub, then: bench/profile/profile.sh "$(pgrep -f OrleansMock.Api.dll)" http://127.0.0.1:5080/m/demo/users/1
# Needs: wrk, and dotnet-trace (dotnet tool install --global dotnet-trace). Environment BENCH_METHOD / BENCH_BODY as
# for bench/run.sh. Traces are written to a temporary folder, printed at the end.
set -euo pipefail
pid=$1; url=$2; seconds=${3:-6}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d /tmp/orleansmock-profile.XXXXXX)
export PATH="$PATH:$HOME/.dotnet/tools"
command -v dotnet-trace > /dev/null || { echo "dotnet-trace is missing: dotnet tool install --global dotnet-trace" >&2; exit 1; }
dotnet build -c Release "$here/alloc-summary/AllocSummary.csproj" -v q -nologo -o "$out/alloc-summary" > "$out/build.log" || { cat "$out/build.log"; exit 1; }

load() { sleep 1; wrk -t2 -c32 -d"$((seconds + 2))s" -s "$here/../wrk.lua" "$url" | grep '^RESULT'; }
echo "== CPU (sampled thread time, ${seconds}s under load)"
load > "$out/cpu-load.txt" &
dotnet-trace collect -p "$pid" --profile dotnet-sampled-thread-time --duration "00:00:00:$(printf %02d "$seconds")" -o "$out/cpu.nettrace" > "$out/cpu-collect.log"
wait
dotnet-trace convert "$out/cpu.nettrace" --format Speedscope -o "$out/cpu" > /dev/null
python3 "$here/cpu-summary.py" "$out/cpu.speedscope.json" 25

echo "== allocations (gc-verbose, ${seconds}s under load)"
load > "$out/alloc-load.txt" &
dotnet-trace collect -p "$pid" --profile gc-verbose --duration "00:00:00:$(printf %02d "$seconds")" -o "$out/alloc.nettrace" > "$out/alloc-collect.log"
wait
dotnet "$out/alloc-summary/AllocSummary.dll" "$out/alloc.nettrace" 25
requests=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' "$out/alloc-load.txt")
echo "load during the allocation trace: $(cat "$out/alloc-load.txt")"
echo "traces: $out (the allocation share per type times the process's allocated bytes / $requests requests gives bytes per request)"
