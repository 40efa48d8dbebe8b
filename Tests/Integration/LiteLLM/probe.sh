#!/usr/bin/env bash
# Sends every scenario of README.md's table through the running proxy with curl and prints,
# for each: the HTTP status, the time taken, the headers that matter to a client
# (retry-after, llm_provider-*, x-ratelimit-*, x-litellm-attempted-*, www-authenticate,
# content-type) and the body, trimmed to 600 bytes. Start the proxy first (start.sh); this
# reads its ports from ENV_FILE (default .build-litellm/run/ports.env).
#   Tests/Integration/LiteLLM/probe.sh [scenario-name-substring]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
env_file=${ENV_FILE:-$root/.build-litellm/run/ports.env}
[[ -f "$env_file" ]] || { echo "probe: no $env_file; run start.sh first" >&2; exit 1; }
# shellcheck disable=SC1090
source "$env_file"
filter=${1:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# probe NAME METHOD URL BODY [extra curl args...]; the master key is sent as a Bearer token
# unless an extra argument replaces the Authorization header.
probe() {
    local name=$1 method=$2 url=$3 body=$4
    shift 4
    [[ -z "$filter" || "$name" == *"$filter"* ]] || return 0
    local auth=(-H "Authorization: Bearer $LITELLM_MASTER_KEY")
    local arg
    for arg in "$@"; do [[ "$arg" == Authorization:* || "$arg" == NOAUTH ]] && auth=(); done
    local extra=()
    for arg in "$@"; do [[ "$arg" == NOAUTH ]] || extra+=("$arg"); done
    local data=()
    [[ -n "$body" ]] && data=(-H 'Content-Type: application/json' -d "$body")
    local meta
    meta=$(curl -s -X "$method" -D "$work/h" -o "$work/b" -w '%{http_code} %{time_total}' \
        "${auth[@]}" "${data[@]}" "${extra[@]}" "$url")
    echo "### $name"
    echo "$method ${url#http://127.0.0.1:}  ${body:0:160}"
    echo "status ${meta% *}  time ${meta#* }s"
    grep -iE '^(retry-after:|llm_provider-retry-after:|llm_provider-x-ratelimit-|llm_provider-anthropic-ratelimit-|x-ratelimit-|x-litellm-attempted-|www-authenticate:|content-type:)' "$work/h" | tr -d '\r' | sed 's/^/  /'
    echo "  body: $(head -c 600 "$work/b")"
    echo
}

P="http://127.0.0.1:$PROXY_PORT"
U="http://127.0.0.1:$UPSTREAM_PORT"
MSG='"messages":[{"role":"user","content":"Classify: my invoice is wrong"}]'
SCHEMA='"response_format":{"type":"json_schema","json_schema":{"name":"label","strict":true,"schema":{"type":"object","properties":{"label":{"type":"string","enum":["billing","other"]}},"required":["label"],"additionalProperties":false}}}'
OTOOLS='"tools":[{"type":"function","function":{"name":"classify","parameters":{"type":"object","properties":{"label":{"type":"string"}},"required":["label"]}}}],"tool_choice":{"type":"function","function":{"name":"classify"}}'
ATOOLS='"tools":[{"name":"classify","description":"Pick a label","input_schema":{"type":"object","properties":{"label":{"type":"string"}},"required":["label"]}}],"tool_choice":{"type":"tool","name":"classify"}'
chat() { echo "{\"model\":\"$1\",$MSG,\"temperature\":0${2:+,$2}}"; }
anth() { echo "{\"model\":\"$1\",\"max_tokens\":64,$MSG,\"temperature\":0${2:+,$2}}"; }

curl -s -X POST "$U/_reset" > /dev/null

echo "## OpenAI format: POST /v1/chat/completions"
for model in label-json label-bare label-fenced garbage refusal refusal-field truncated rate-limited server-error slow; do
    probe "chat $model" POST "$P/v1/chat/completions" "$(chat "$model")"
done
probe "chat label-json json_schema" POST "$P/v1/chat/completions" "$(chat label-json "$SCHEMA")"
probe "chat truncated json_schema" POST "$P/v1/chat/completions" "$(chat truncated "$SCHEMA")"
for model in upstream-label-json upstream-truncated upstream-unauthorized upstream-server-error upstream-ratelimit upstream-typo closed-port; do
    probe "chat $model" POST "$P/v1/chat/completions" "$(chat "$model")"
done
probe "chat upstream-label-json json_schema" POST "$P/v1/chat/completions" "$(chat upstream-label-json "$SCHEMA")"
for i in 1 2 3; do
    probe "chat upstream-ratelimit-every-3rd #$i" POST "$P/v1/chat/completions" "$(chat upstream-ratelimit-every-3rd)"
done
probe "chat anthropic-tool (tools)" POST "$P/v1/chat/completions" "$(chat anthropic-tool "$OTOOLS")"
for model in anthropic-text anthropic-max-tokens anthropic-ratelimit anthropic-unauthorized; do
    probe "chat $model" POST "$P/v1/chat/completions" "$(chat "$model")"
done
probe "chat label-json stream" POST "$P/v1/chat/completions" "$(chat label-json '"stream":true')"
probe "chat typo label-jsn" POST "$P/v1/chat/completions" "$(chat label-jsn)"
probe "chat no key" POST "$P/v1/chat/completions" "$(chat label-json)" NOAUTH
probe "chat wrong key" POST "$P/v1/chat/completions" "$(chat label-json)" -H "Authorization: Bearer sk-wrong"

echo "## Anthropic format: POST /v1/messages"
probe "messages anthropic-tool (tools)" POST "$P/v1/messages" "$(anth anthropic-tool "$ATOOLS")" -H 'anthropic-version: 2023-06-01'
for model in anthropic-text anthropic-max-tokens anthropic-ratelimit anthropic-unauthorized label-json label-fenced truncated refusal-field rate-limited server-error upstream-label-json upstream-truncated upstream-ratelimit upstream-typo closed-port label-jsn; do
    probe "messages $model" POST "$P/v1/messages" "$(anth "$model")" -H 'anthropic-version: 2023-06-01'
done
probe "messages x-api-key header" POST "$P/v1/messages" "$(anth anthropic-text)" NOAUTH -H "x-api-key: $LITELLM_MASTER_KEY" -H 'anthropic-version: 2023-06-01'

echo "## Embeddings: POST /v1/embeddings"
probe "embeddings embed-mock" POST "$P/v1/embeddings" '{"model":"embed-mock","input":["my invoice is wrong","hello"]}'
probe "embeddings upstream-embed" POST "$P/v1/embeddings" '{"model":"upstream-embed","input":["my invoice is wrong","hello"]}'
probe "embeddings typo" POST "$P/v1/embeddings" '{"model":"embed-mok","input":"x"}'

echo "## Other proxy endpoints"
probe "models" GET "$P/v1/models" ""
probe "health readiness (no key)" GET "$P/health/readiness" "" NOAUTH
probe "health liveliness (no key)" GET "$P/health/liveliness" "" NOAUTH

echo "## Upstream called directly (no proxy)"
probe "direct anthropic tool_use" POST "$U/v1/messages" "$(anth claude-tool "$ATOOLS")" -H 'x-api-key: sk-ant-upstream-dummy' NOAUTH
probe "direct ratelimit-always" POST "$U/v1/chat/completions" "$(chat ratelimit-always)" -H 'Authorization: Bearer sk-upstream-dummy'
probe "direct typo" POST "$U/v1/chat/completions" "$(chat label-jsn)" -H 'Authorization: Bearer sk-upstream-dummy'

echo "## Requests the upstream received during this probe"
curl -s "$U/_requests" | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["counts"], sort_keys=True))'
