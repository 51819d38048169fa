#!/usr/bin/env bash
# Issue 30's attacks against two builds of the front end, side by side on loopback: what each attack costs the server
# in CPU time, resident memory and data folder bytes, with the status and time the attacker saw.
#   bench/attacks.sh                 this checkout against the commit before the budgets (c55c92b)
#   bench/attacks.sh <before-commit> this checkout against that commit
# Each build runs as the published app does (Release, embedded SQLite store in a fresh data folder), with only the
# rate limits raised so the attacks are not throttled. Every attack is bounded by curl's --max-time.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BEFORE=${1:-c55c92b}
WORK=$(mktemp -d /tmp/orleansmock-attacks.XXXXXX)
TICKS=$(getconf CLK_TCK)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; git -C "$ROOT" worktree remove --force "$WORK/before" >/dev/null 2>&1; }
trap cleanup EXIT
log() { printf '[attacks] %s\n' "$*" >&2; }

build() { # <source folder> -> path of the api dll
  dotnet build "$1/api/OrleansMock.Api.csproj" -c Release -p:SkipConsoleBuild=true -v q -nologo >/dev/null 2>&1 || { log "build of $1 failed"; exit 1; }
  echo "$1/api/bin/Release/net10.0/OrleansMock.Api.dll"
}
cpu_ms() { awk -v t="$TICKS" '{ printf "%d", ($14 + $15) * 1000 / t }' "/proc/$1/stat"; }
rss_mb() { awk '/VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }
disk_kb() { du -sk "$1" | cut -f1; }

PORT=$((20000 + RANDOM % 10000))
BASE="http://127.0.0.1:$PORT"
start() { # <dll> <data folder>
  mkdir -p "$2"
  OrleansMock__DataDir="$2" ASPNETCORE_URLS="$BASE" \
  OrleansMock__RateLimits__MockPerClient__Limit=1000000 OrleansMock__RateLimits__MockPerProject__Limit=1000000 \
  OrleansMock__RateLimits__Management__Limit=1000000 OrleansMock__RateLimits__RegisterPerClient__Limit=1000000 \
  OrleansMock__RateLimits__LoginPerClient__Limit=1000000 \
    dotnet "$1" >"$2.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 120); do curl -s -o /dev/null "$BASE/healthz" && return 0; sleep 0.5; done
  log "the server did not start: $(tail -3 "$2.log")"; exit 1
}
json() { curl -s -m 60 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }

# attack <label> <command...>: runs one attack, prints a row with what it cost the server
attack() {
  local label=$1; shift
  local cpu0 rss0 disk0 started out
  sleep 1 # let the previous attack's leftovers settle
  cpu0=$(cpu_ms "$PID"); rss0=$(rss_mb "$PID"); disk0=$(disk_kb "$DATA")
  started=$(date +%s%N)
  out=$("$@" 2>/dev/null | tail -c 200 | tr -d '\n|' | cut -c1-80)
  local took=$(( ($(date +%s%N) - started) / 1000000 ))
  sleep "${SETTLE:-2}" # work the server keeps doing after the client gave up still counts
  printf '| %s | %s | %s | %d ms | %d ms | %+d MB (%d) | %+d KB |\n' "$BUILD" "$label" "$out" "$took" $(( $(cpu_ms "$PID") - cpu0 )) \
    $(( $(rss_mb "$PID") - rss0 )) "$(rss_mb "$PID")" $(( $(disk_kb "$DATA") - disk0 ))
}
# status <max seconds> <curl args...>: the status and the start of a problem's detail (000: the client gave up)
status() { curl -s -w ' %{http_code}' -m "$1" "${@:2}" | sed -E 's/.*"detail":"([^"]{0,70}).*( [0-9]{3})$/\2 \1/; s/^.*( [0-9]{3})$/\1/'; echo; }

segments() { printf '/a%.0s' $(seq 1 "$1"); }
run_attacks() {
  local email="a-$RANDOM$RANDOM@example.com"
  curl -s -m 30 -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"correct horse battery\"}" "$BASE/api/v1/auth/register" >/dev/null
  TOKEN=$(curl -s -m 30 -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"correct horse battery\"}" "$BASE/api/v1/auth/login" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  json -d '{"name":"attack","slug":"attack-'$RANDOM'"}' "$BASE/api/v1/projects" > "$WORK/project.json"
  local id slug
  id=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$WORK/project.json"); slug=$(sed -n 's/.*"slug":"\([^"]*\)".*/\1/p' "$WORK/project.json")
  json -d '{"method":"GET","pathPattern":"/loop/.*","response":{"template":true,"body":"{{#each request.pathSegments}}{{#each ../request.pathSegments}}{{#each ../../request.pathSegments}}x{{/each}}{{/each}}{{/each}}"}}' "$BASE/api/v1/projects/$id/endpoints" >/dev/null
  json -d '{"method":"GET","pathPattern":"/print/.*","response":{"template":true,"body":"{{#each request.pathSegments}}{{#each ../request.pathSegments}}'"$(printf 'z%.0s' $(seq 1 100))"'{{/each}}{{/each}}"}}' "$BASE/api/v1/projects/$id/endpoints" >/dev/null
  json -d '{"method":"POST","path":"/jp","request":{"body":[{"matchesJsonPath":"$[?(@.a =~ /^(a+)+$/)]"}]},"response":{"body":"matched"}}' "$BASE/api/v1/projects/$id/endpoints" >/dev/null
  local key; key=$(json -d '{"name":"victim"}' "$BASE/api/v1/auth/keys" | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
  json -d '{"method":"GET","path":"/steal","response":{"template":true,"body":"{{request.headers.X-Api-Key}}"}}' "$BASE/api/v1/projects/$id/endpoints" >/dev/null

  attack "1 nested loops, 400 segments (client gives up at 1 s)" status 1 "$BASE/m/$slug/loop$(segments 400)"
  attack "1 loops printing 400M chars, 2,000 segments" status 20 "$BASE/m/$slug/print$(segments 2000)"
  attack "2 JSONPath =~ (a+)+ on 26 a's + '!'" status 20 -H 'Content-Type: application/json' -d "{\"a\":\"$(printf 'a%.0s' $(seq 1 26))!\"}" "$BASE/m/$slug/jp"
  attack "3 template echoes the caller's API key (body shown)" curl -s -m 10 -H "X-Api-Key: $key" "$BASE/m/$slug/steal"
  local doc="$WORK/amplifier.json" small="$WORK/within.json"
  amplifier() { # <operations>: a document whose operations all reference one 400 KB example
    printf '{"openapi":"3.0.3","info":{"title":"a","version":"1"},"paths":{'
    for i in $(seq 0 $(($1 - 1))); do [ "$i" -gt 0 ] && printf ','; printf '"/op%d":{"get":{"responses":{"200":{"description":"ok","content":{"application/json":{"examples":{"big":{"$ref":"#/components/examples/big"}}}}}}}}' "$i"; done
    printf '},"components":{"examples":{"big":{"value":{"blob":"%s"}}}}}' "$(head -c 409600 /dev/zero | tr '\0' x)"
  }
  amplifier 500 > "$doc"; amplifier 30 > "$small"
  # Into an empty project of its own (the project above already has endpoints counted against the 500 per project).
  local empty; empty=$(json -d '{"name":"import","slug":"import-'$RANDOM'"}' "$BASE/api/v1/projects" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
  attack "4 OpenAPI import, 500 operations x one 400 KB example" status 300 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data-binary @"$doc" "$BASE/api/v1/projects/$empty/imports/openapi"
  attack "4 then the project is deleted" status 60 -X DELETE -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/projects/$empty"
  # Within the budget (30 x 400 KB = 12 MB), then deleted: the embedded store gives the space back every 30 s
  # (SqliteSpaceReclaimer), so the folder is measured after that.
  local kept; kept=$(json -d '{"name":"kept","slug":"kept-'$RANDOM'"}' "$BASE/api/v1/projects" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
  attack "4 OpenAPI import within the budget, 30 operations x 400 KB" status 300 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data-binary @"$small" "$BASE/api/v1/projects/$kept/imports/openapi"
  SETTLE=35 attack "4 then that project is deleted (folder 35 s later)" status 60 -X DELETE -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/projects/$kept"
}

echo "| build | attack | the attacker saw | took | server CPU | RSS change (after) | data folder |"
echo "|---|---|---|---|---|---|---|"
git -C "$ROOT" worktree add --force --detach "$WORK/before" "$BEFORE" >/dev/null 2>&1 || { log "no commit $BEFORE"; exit 1; }
for BUILD in "before ($BEFORE)" "after ($(git -C "$ROOT" rev-parse --short HEAD))"; do
  case $BUILD in before*) SRC="$WORK/before" ;; *) SRC="$ROOT" ;; esac
  log "building $BUILD"
  DLL=$(build "$SRC")
  DATA="$WORK/data-${BUILD%% *}"
  start "$DLL" "$DATA"
  run_attacks
  kill "$PID"; wait "$PID" 2>/dev/null; PID=""
done
