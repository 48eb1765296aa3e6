#!/bin/bash
# A CPU profile of the server (from source) under load: the bench's mock upstream, the bench's config,
# wrk at 64 connections for N seconds, `bun --cpu-prof`; then a summary by package, by function and
# inclusive (bench/profile-summary.ts). Usage: bench/profile.sh <completions|chat> [seconds] [DATABASE_URL]
# Needs wrk, curl and python3. The profile is JavaScript's: native time shows as `run`, `fetch`, `all`.
set -e
ROUTE=${1:-completions}; SECS=${2:-8}; DBURL=${3:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
D=$(mktemp -d /tmp/textllm-prof-XXXX)
bun "$ROOT/bench/mock-upstream.ts" > "$D/mock.out" 2>&1 &
MOCKPID=$!
for _ in $(seq 50); do grep -q MOCK_PORT "$D/mock.out" && break; sleep 0.1; done
MOCKPORT=$(grep -o 'MOCK_PORT=[0-9]*' "$D/mock.out" | cut -d= -f2)
printf 'rate_limit_per_minute: 100000000\ncost_limit_per_session: 1000\nmax_history_items: 20\nmodels:\n  bench-model: { context_window: 8192, pricing: { input_per_1k: 0.0025, output_per_1k: 0.01 } }\n' > "$D/config.yaml"
PORT=$((20000 + RANDOM % 10000))
KEY=sk-bench-admin-key
# The start environment is set here, so serve does not re-execute itself (the profile follows one process).
(cd "$D" && env -i PATH="$PATH" HOME="$D" PORT=$PORT HOST=127.0.0.1 TEXTLLM_ADMIN_KEY=$KEY \
  OPENAI_BASE_URL="http://127.0.0.1:$MOCKPORT/v1" OPENAI_API_KEY=sk-bench LOG_LEVEL=info \
  BUN_CONFIG_MAX_HTTP_REQUESTS=4096 BUN_JSC_heapGrowthFunctionThresholdInMB=1048576 ${DBURL:+DATABASE_URL=$DBURL} \
  bun --cpu-prof --cpu-prof-dir="$D/prof" "$ROOT/src/main.ts" serve > "$D/server.log" 2>&1) &
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health/live" > /dev/null && break; sleep 0.1; done
SPID=$(pgrep -f "cpu-prof-dir=$D/prof" | head -1)
IDS=""
if [ "$ROUTE" = chat ]; then # one conversation per user, continued by every request (as the bench does)
  for i in $(seq 64); do
    id=$(curl -s -X POST "http://127.0.0.1:$PORT/chat" -H "authorization: Bearer $KEY" -H 'content-type: application/json' \
      -d '{"model":"bench-model","message":"hi","user_id":"u'"$i"'"}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["conversation_id"])')
    IDS="$IDS\"$id\","
  done
fi
cat > "$D/load.lua" <<LUA
local ids = { $IDS }
local i = 0
local headers = { ["content-type"] = "application/json", ["authorization"] = "Bearer $KEY" }
request = function()
  i = i % 64 + 1
  if "$ROUTE" == "chat" then
    return wrk.format("POST", "/chat", headers, '{"model":"bench-model","message":"Say something short.","user_id":"u'..i..'","conversation_id":"'..ids[i]..'"}')
  end
  return wrk.format("POST", "/v1/chat/completions", headers, '{"model":"bench-model","messages":[{"role":"user","content":"Say something short."}],"user":"u'..i..'"}')
end
LUA
wrk -t1 -c64 -d"${SECS}s" -s "$D/load.lua" "http://127.0.0.1:$PORT" | grep -E "Requests/sec|Non-2xx|requests in"
kill -TERM "$SPID"
while kill -0 "$SPID" 2> /dev/null; do sleep 0.2; done
kill "$MOCKPID"
bun "$ROOT/bench/profile-summary.ts" "$D"/prof/*.cpuprofile 40
echo "profile: $(ls "$D"/prof/*.cpuprofile)"
