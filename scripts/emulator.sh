#!/usr/bin/env bash
# The local environment's processes: the ministack emulator and the local-only bridge (environments/local/bridge.py).
#   scripts/emulator.sh up            start ministack on 127.0.0.1:$PORT (idempotent), wait until healthy
#   scripts/emulator.sh bridge ARN    (re)start the bridge delivering the pipeline queue to the durable function ARN
#   scripts/emulator.sh down          stop both; the emulator keeps state in memory, so the local state file goes too
#   scripts/emulator.sh check         exit 1 with a hint when the emulator is not up
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${EMULATOR_PORT:-4566}
BUILD=build
MINISTACK=${MINISTACK:-.venv-emulator/bin/ministack}
PYTHON=${PYTHON_BIN:-.venv/bin/python}
LOCAL_STATE=environments/local/terraform.tfstate
HEALTH="http://127.0.0.1:${PORT}/_ministack/health"
mkdir -p "$BUILD"

healthy() { curl -fs -o /dev/null --max-time 2 "$HEALTH"; }

stop_pid() {  # stop_pid NAME PIDFILE: the process group the pid leads (ministack runs each Lambda in a child)
  local pid
  [[ -f $2 ]] || return 0
  pid=$(cat "$2")
  if kill -0 "$pid" 2>/dev/null; then
    kill -- "-$pid" 2>/dev/null || kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 -- "-$pid" 2>/dev/null || true
    echo "stopped $1 (pid $pid)"
  fi
  rm -f "$2"
}

case "${1:-}" in
  up)
    if healthy; then
      echo "ministack already running on 127.0.0.1:${PORT}"
      exit 0
    fi
    # A new emulator starts empty: a state file from an earlier one would describe resources that are gone.
    rm -f "$LOCAL_STATE" "$LOCAL_STATE.backup"
    GATEWAY_PORT=$PORT BIND_HOST=127.0.0.1 setsid "$MINISTACK" >"$BUILD/ministack.log" 2>&1 </dev/null &
    echo $! >"$BUILD/ministack.pid"
    for _ in $(seq 120); do
      if healthy; then echo "ministack up on 127.0.0.1:${PORT} (log: $BUILD/ministack.log)"; exit 0; fi
      sleep 0.5
    done
    echo "error: ministack did not become healthy in 60 s; last log lines:" >&2
    tail -20 "$BUILD/ministack.log" >&2
    exit 1
    ;;
  bridge)
    arn=${2:?usage: scripts/emulator.sh bridge DURABLE_FUNCTION_ALIAS_ARN}
    stop_pid bridge "$BUILD/bridge.pid"
    AWS_ENDPOINT_URL="http://127.0.0.1:${PORT}" setsid "$PYTHON" environments/local/bridge.py deliver "$arn" \
      >"$BUILD/bridge.log" 2>&1 </dev/null &
    echo $! >"$BUILD/bridge.pid"
    sleep 2
    if ! kill -0 "$(cat "$BUILD/bridge.pid")" 2>/dev/null; then
      echo "error: the bridge exited; see $BUILD/bridge.log" >&2
      tail -20 "$BUILD/bridge.log" >&2
      exit 1
    fi
    echo "bridge delivering the pipeline queue to $arn (log: $BUILD/bridge.log)"
    ;;
  down)
    stop_pid bridge "$BUILD/bridge.pid"
    stop_pid ministack "$BUILD/ministack.pid"
    rm -f "$LOCAL_STATE" "$LOCAL_STATE.backup"
    echo "local environment stopped"
    ;;
  check)
    healthy || { echo "error: the emulator is not running on 127.0.0.1:${PORT}: run 'make up' first" >&2; exit 1; }
    ;;
  *)
    echo "usage: scripts/emulator.sh up|bridge ARN|down|check" >&2
    exit 2
    ;;
esac
