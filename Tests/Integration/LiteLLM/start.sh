#!/usr/bin/env bash
# Starts the scripted upstream (upstream.py) and the LiteLLM proxy (config.yaml) on free
# loopback ports, waits until the proxy answers GET /health/readiness, and prints one
# machine-readable line on stdout:
#   PROXY_PORT=<n> UPSTREAM_PORT=<n> CLOSED_PORT=<n> PID_FILE=<path> ENV_FILE=<path> STARTUP_SECONDS=<s>
# ENV_FILE holds the same values (plus the URLs, the master key and the log paths) as
# shell assignments, for `source`. Everything else goes to stderr.
#
#   Tests/Integration/LiteLLM/start.sh [start]   start both (prints the running ones if up)
#   Tests/Integration/LiteLLM/start.sh stop      stop both (only the processes it started)
#   Tests/Integration/LiteLLM/start.sh status    exit 0 and print the line when both run
#
# Needs Scripts/setup/litellm.sh to have been run once (the venv in .build-litellm/venv).
# Environment: SQUIRE_LITELLM_MASTER_KEY (default sk-squire-test, a dummy),
# SQUIRE_LITELLM_STATE_DIR (default .build-litellm/run), SQUIRE_LITELLM_CONFIG (default
# config.yaml here), SQUIRE_LITELLM_START_TIMEOUT in seconds (default 120).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
venv="$root/.build-litellm/venv"
state=${SQUIRE_LITELLM_STATE_DIR:-$root/.build-litellm/run}
config=${SQUIRE_LITELLM_CONFIG:-$here/config.yaml}
master_key=${SQUIRE_LITELLM_MASTER_KEY:-sk-squire-test}
timeout=${SQUIRE_LITELLM_START_TIMEOUT:-120}
pid_file="$state/pids"
env_file="$state/ports.env"

log() { echo "litellm-start: $*" >&2; }

# A pid from our PID file is ours only while its command line is still one we started.
is_ours() {
    local pid=$1
    [[ -r /proc/$pid/cmdline ]] || return 1
    tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qE 'upstream\.py|/litellm( |$)'
}

stop_all() {
    [[ -f "$pid_file" ]] || return 0
    local pid pids=()
    while read -r pid; do
        [[ "$pid" =~ ^[0-9]+$ ]] && is_ours "$pid" && pids+=("$pid")
    done < "$pid_file"
    for pid in "${pids[@]}"; do
        # Each was started with setsid, so it leads its own process group: end the group.
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    done
    local waited=0
    for pid in "${pids[@]}"; do
        while kill -0 "$pid" 2>/dev/null && ((waited < 100)); do sleep 0.1; waited=$((waited + 1)); done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    rm -f "$pid_file" "$env_file"
    ((${#pids[@]})) && log "stopped ${pids[*]}"
    return 0
}

running() {
    [[ -f "$pid_file" && -f "$env_file" ]] || return 1
    local pid n=0
    while read -r pid; do
        is_ours "$pid" || return 1
        n=$((n + 1))
    done < "$pid_file"
    ((n == 2))
}

print_line() {
    # shellcheck disable=SC1090
    source "$env_file"
    echo "PROXY_PORT=$PROXY_PORT UPSTREAM_PORT=$UPSTREAM_PORT CLOSED_PORT=$CLOSED_PORT PID_FILE=$pid_file ENV_FILE=$env_file STARTUP_SECONDS=$STARTUP_SECONDS"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

http_status() {
    curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null || true
}

case "${1:-start}" in
stop)
    stop_all
    exit 0
    ;;
status)
    if running; then print_line; exit 0; fi
    log "not running"
    exit 1
    ;;
start) ;;
*)
    echo "usage: $0 [start|stop|status]" >&2
    exit 2
    ;;
esac

if running; then
    log "already running"
    print_line
    exit 0
fi
stop_all # leftovers of a run that died half-way

[[ -x "$venv/bin/litellm" ]] || { log "no LiteLLM in $venv: run Scripts/setup/litellm.sh first"; exit 1; }
command -v curl >/dev/null || { log "curl is needed to poll the proxy's health endpoint"; exit 1; }
[[ -f "$config" ]] || { log "no config at $config"; exit 1; }
mkdir -p "$state"
rm -f "$state/upstream.port"

started=$(date +%s.%N)
trap 'log "start failed; stopping what was started"; stop_all' ERR

# 1. The upstream picks its own port and writes it once it listens.
setsid python3 "$here/upstream.py" --port-file "$state/upstream.port" > "$state/upstream.out" 2> "$state/upstream.log" < /dev/null &
echo $! > "$pid_file"
for _ in $(seq 1 100); do [[ -s "$state/upstream.port" ]] && break; sleep 0.1; done
[[ -s "$state/upstream.port" ]] || { log "upstream did not start:"; tail -20 "$state/upstream.log" >&2; false; }
upstream_port=$(cat "$state/upstream.port")

# 2. The proxy. Its port, and the one the closed-port model points at, are free now;
#    nothing else is meant to take them on a test machine.
proxy_port=$(free_port)
closed_port=$(free_port)
while [[ "$closed_port" == "$proxy_port" ]]; do closed_port=$(free_port); done

setsid env -u DATABASE_URL \
    SQUIRE_LITELLM_MASTER_KEY="$master_key" \
    SQUIRE_UPSTREAM_OPENAI="http://127.0.0.1:$upstream_port/v1" \
    SQUIRE_UPSTREAM_ANTHROPIC="http://127.0.0.1:$upstream_port" \
    SQUIRE_CLOSED_BASE="http://127.0.0.1:$closed_port/v1" \
    LITELLM_LOCAL_MODEL_COST_MAP=True \
    NO_PROXY="127.0.0.1,localhost" no_proxy="127.0.0.1,localhost" \
    "$venv/bin/litellm" --config "$config" --host 127.0.0.1 --port "$proxy_port" --num_workers 1 \
    > "$state/proxy.log" 2>&1 < /dev/null &
proxy_pid=$!
echo "$proxy_pid" >> "$pid_file"

deadline=$(( $(date +%s) + timeout ))
until [[ "$(http_status "http://127.0.0.1:$proxy_port/health/readiness")" == 200 ]]; do
    if ! kill -0 "$proxy_pid" 2>/dev/null; then
        log "the proxy exited; last lines of $state/proxy.log:"
        tail -40 "$state/proxy.log" >&2
        false
    fi
    if (( $(date +%s) > deadline )); then
        log "the proxy did not become ready within ${timeout}s; last lines of $state/proxy.log:"
        tail -40 "$state/proxy.log" >&2
        false
    fi
    sleep 0.25
done
trap - ERR
seconds=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$started" "$(date +%s.%N)")

cat > "$env_file" <<EOF
PROXY_PORT=$proxy_port
UPSTREAM_PORT=$upstream_port
CLOSED_PORT=$closed_port
PROXY_URL=http://127.0.0.1:$proxy_port
UPSTREAM_URL=http://127.0.0.1:$upstream_port
LITELLM_MASTER_KEY=$master_key
PID_FILE=$pid_file
PROXY_LOG=$state/proxy.log
UPSTREAM_LOG=$state/upstream.log
STARTUP_SECONDS=$seconds
EOF
log "ready in ${seconds}s (proxy log: $state/proxy.log)"
print_line
