#!/usr/bin/env bash
# The local environment's processes, each started with a pid file and a log under $STATE (build/local/):
#   ministack        127.0.0.1:$PORT+100  every function, queue, table, bucket, role, stack, with IAM enforced
#                                         (AUTH=true; local/emulator.py adds the front's authorizer) (emulator.log)
#   durable_engine   127.0.0.1:$PORT+200  AWS's durable-execution engine (dex-local-runner), sqlite store; resumes
#                                         the store's unfinished executions when it starts (engine.log)
#   lambda_front     127.0.0.1:$PORT      the one endpoint users and tools point at (front.log)
#   esm_poller       -                    delivers SQS to durable functions as Lambda's ESM (poller.log)
#
#   local/processes.sh up      start emulator, engine and front (idempotent), wait until each answers
#   local/processes.sh sync    after an apply: engine function configs from what is deployed, (re)start the poller
#   local/processes.sh down    stop all four by their pid files; the emulator keeps state in memory, so the local
#                              Terraform state goes too
#   local/processes.sh check   exit 1 with a hint when the front is not up
#   local/processes.sh restart-engine  stop the front and the engine, start both again (same store; make soak)
# PORT comes from LOCAL_PORT (default 4566), STATE from LOCAL_STATE_DIR (default build/local). IAM is always enforced
# (docs/security.md).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${LOCAL_PORT:-4566}
EMULATOR_PORT=$((PORT + 100))
ENGINE_PORT=$((PORT + 200))
STATE=${LOCAL_STATE_DIR:-build/local}
EMULATOR_PYTHON=${EMULATOR_PYTHON:-.venv-emulator/bin/python}
PYTHON=${PYTHON_BIN:-.venv/bin/python}
LOCAL_TF_STATE=${LOCAL_TF_STATE:-environments/local/terraform.tfstate}
CONFIGS=$STATE/function-configs.json
mkdir -p "$STATE"
export AWS_ENDPOINT_URL="http://127.0.0.1:${PORT}" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}

answers() { curl -s -o /dev/null --max-time 2 "$1"; }
emulator_up() { answers "http://127.0.0.1:${EMULATOR_PORT}/_ministack/health"; }
engine_up() { answers "http://127.0.0.1:${ENGINE_PORT}/2025-12-01/durable-executions"; }
front_up() { answers "http://127.0.0.1:${PORT}/_ministack/health"; }
poller_up() { running poller; }

running() { [[ -f $STATE/$1.pid ]] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }

start() {  # start NAME READY_CHECK COMMAND...: in its own session (process group), pid file, log
  local name=$1 ready=$2
  shift 2
  if running "$name" && $ready; then return 0; fi
  if $ready; then
    echo "error: the port of $name is served by a process this checkout did not start (no $STATE/$name.pid);" \
      "stop it with 'make down' where it was started" >&2
    exit 1
  fi
  setsid "$@" >"$STATE/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/$name.pid"
  for _ in $(seq 120); do
    if $ready; then echo "$name up (log: $STATE/$name.log)"; return 0; fi
    running "$name" || break
    sleep 0.5
  done
  echo "error: $name did not come up; last log lines:" >&2
  tail -20 "$STATE/$name.log" >&2
  exit 1
}

stop() {  # stop NAME: the process group its pid leads (ministack runs each Lambda in a child)
  local pid
  [[ -f $STATE/$1.pid ]] || return 0
  pid=$(cat "$STATE/$1.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -- "-$pid" 2>/dev/null || kill "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 -- "-$pid" 2>/dev/null || true
    echo "stopped $1 (pid $pid)"
  fi
  rm -f "$STATE/$1.pid"
}

start_engine() {
  [[ -f $CONFIGS ]] || echo '{}' >"$CONFIGS"
  start engine engine_up "$PYTHON" -m local.durable_engine start-server --host 127.0.0.1 --port "$ENGINE_PORT" \
    --lambda-endpoint "http://127.0.0.1:${EMULATOR_PORT}" --local-runner-region "$AWS_DEFAULT_REGION" --store-type sqlite \
    --store-path "$STATE/durable-executions.sqlite" --function-configs "file://$CONFIGS"
}

start_front() {
  start front front_up "$PYTHON" -m local.lambda_front --port "$PORT" \
    --emulator "http://127.0.0.1:${EMULATOR_PORT}" --engine "http://127.0.0.1:${ENGINE_PORT}"
}

case "${1:-}" in
  up)
    if ! emulator_up; then
      # A new emulator starts empty: a state file from an earlier one would describe resources that are gone,
      # and so would the engine's executions of those functions.
      rm -f "$LOCAL_TF_STATE" "$LOCAL_TF_STATE.backup" "$STATE/durable-executions.sqlite" "$CONFIGS"
      stop engine
    fi
    AUTH=true GATEWAY_PORT=$EMULATOR_PORT BIND_HOST=127.0.0.1 start emulator emulator_up "$EMULATOR_PYTHON" -m local.emulator
    start_engine
    start_front
    echo "local Lambda API on http://127.0.0.1:${PORT}"
    ;;
  restart-engine)
    # make soak: the durable engine and the front stop (as in a crash) and start again on the same sqlite store;
    # the engine resumes the executions that were in flight (local/durable_engine.py).
    stop front
    stop engine
    sleep "${RESTART_PAUSE_SECONDS:-1}"
    start_engine
    start_front
    ;;
  sync)
    front_up || { echo "error: the local environment is not running: run 'make up' first" >&2; exit 1; }
    "$PYTHON" -m local.durable_functions engine-config >"$CONFIGS.new"
    if ! cmp -s "$CONFIGS.new" "$CONFIGS"; then
      # The engine reads its function configurations at start: new functions need a restart.
      mv "$CONFIGS.new" "$CONFIGS"
      stop engine
      start_engine
    else
      rm -f "$CONFIGS.new"
    fi
    stop poller
    start poller poller_up "$PYTHON" -m local.esm_poller
    sleep 1
    running poller || { echo "error: the poller exited; see $STATE/poller.log" >&2; tail -20 "$STATE/poller.log" >&2; exit 1; }
    echo "durable functions: $("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(", ".join(k for k,v in d.items() if v) or "none")' "$CONFIGS")"
    ;;
  down)
    for name in poller front engine emulator; do stop "$name"; done
    rm -f "$LOCAL_TF_STATE" "$LOCAL_TF_STATE.backup" "$STATE/durable-executions.sqlite" "$CONFIGS"
    echo "local environment stopped"
    ;;
  check)
    front_up || { echo "error: the local environment is not running on 127.0.0.1:${PORT}: run 'make up' first" >&2; exit 1; }
    ;;
  *)
    echo "usage: local/processes.sh up|sync|down|check|restart-engine" >&2
    exit 2
    ;;
esac
