"""Engine restart: the durable engine and the local front stop in the middle of a burst of orders and start again.

Every order is started (Invoke, InvocationType Event, a DurableExecutionName each) before the stop, in two waves
so that the stop finds executions in every state the engine keeps only in memory:
- the first half on a release whose shipping worker answers late (the fault switch's ``slow`` mode, shipped as a
  pinned release as in the faults scenario): at the stop each of them waits on a chained invoke whose answer the
  stopped engine loses;
- the second half on the live release: at the stop they are inside a handler invocation or a durable wait.
After the restart (local/processes.sh restart-engine: same sqlite store; local/durable_engine.py resumes what it
holds) the scenario waits for every execution to end and counts: executions still running at the stop that
finished after the restart (resumed), executions still running at the end (not resumed), executions that were
waiting on a worker at the stop, whether any ran an operation twice, and whether stock leaked (units gone from
the product that no confirmed order holds).
"""

import os
import subprocess
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from scripts import workloads

from tests.soak.contention import order
from tests.soak.env import SoakEnv, wait_until
from tests.soak.faults import fault_switch, operations

ROOT = Path(__file__).resolve().parents[2]
SLOW_WORKER = "shipping"


def restart_engine(env: SoakEnv, state_dir: str | None) -> float:
    """local/processes.sh restart-engine for the environment on env.endpoint; its duration in seconds."""
    port = str(urlparse(env.endpoint).port)
    extra = {"LOCAL_PORT": port, **({"LOCAL_STATE_DIR": state_dir} if state_dir else {})}
    started = time.monotonic()
    # The ESM poller keeps running: it retries through the front's restart (local/esm_poller.py).
    subprocess.run(
        [str(ROOT / "local" / "processes.sh"), "restart-engine"], env={**os.environ, **extra}, check=True, timeout=180
    )
    return time.monotonic() - started


def statuses(lam: Any, arns: dict[str, str]) -> dict[str, str]:
    found = {}
    for name, arn in arns.items():
        try:
            found[name] = str(lam.get_durable_execution(DurableExecutionArn=arn)["Status"])
        except Exception as error:
            found[name] = f"UNKNOWN ({type(error).__name__})"
    return found


def waiting_on_a_worker(env: SoakEnv, arn: str) -> bool:
    """Whether the execution's invoke of the slow worker has started and not ended."""
    timeline = workloads.timeline(workloads.history_events(env.outputs, arn))
    return any(op.name == f"invoke-{SLOW_WORKER}" and op.ended is None for op in timeline)


def run(
    env: SoakEnv,
    *,
    orders: int = 12,
    stop_after_s: float = 0.3,
    finish_timeout_s: float = 120,
    state_dir: str | None = None,
    slow_delay_s: int = 15,
) -> dict[str, Any]:
    run_id = uuid.uuid4().hex[:8]
    product = f"SOAK-RESTART-{run_id}"
    stock = orders * 2
    env.put_product(product, stock)
    lam = env.client("lambda", pool=16)
    alias = env.outputs["order_processor_alias_arn"]
    names = [f"soak-restart-{run_id}-{n:03d}" for n in range(orders)]
    slow, live = names[: orders // 2], names[orders // 2 :]

    def start(name: str) -> tuple[str, str]:
        response, _ = env.invoke(lam, alias, order(name, product, 1), InvocationType="Event", DurableExecutionName=name)
        return name, str(response["DurableExecutionArn"])

    with ThreadPoolExecutor(max_workers=10) as pool:
        with fault_switch(env, SLOW_WORKER, "slow", delay_seconds=slow_delay_s):
            arns = dict(pool.map(start, slow))
            # Until the slow invoke of every first-wave order is in flight (or a minute of cold starts passed).
            wait_until(lambda: all(waiting_on_a_worker(env, arns[n]) for n in slow), 60, interval_s=0.5)
        arns.update(pool.map(start, live))
    time.sleep(stop_after_s)
    at_stop = statuses(lam, arns)
    on_worker = [n for n in slow if at_stop[n] not in workloads.TERMINAL_STATUSES and waiting_on_a_worker(env, arns[n])]
    restart_seconds = restart_engine(env, state_dir)
    lam = env.client("lambda", pool=16)

    final: dict[str, str] = {}

    def all_ended() -> bool:
        final.update(statuses(lam, arns))
        return all(status in workloads.TERMINAL_STATUSES for status in final.values())

    wait_until(all_ended, finish_timeout_s, interval_s=2)
    in_flight = [n for n, s in at_stop.items() if s not in workloads.TERMINAL_STATUSES]
    resumed = [n for n in in_flight if final.get(n) in workloads.TERMINAL_STATUSES]
    stuck = [n for n in names if final.get(n) not in workloads.TERMINAL_STATUSES]

    violations: list[str] = []
    twice = []
    for name in names:
        if final.get(name) == "SUCCEEDED":
            repeated = [op for op, count in Counter(op for op, _ in operations(env, arns[name])).items() if count > 1]
            if repeated:
                twice.append((name, repeated))
    if twice:
        violations.append(f"operations ran twice: {twice[:3]}")
    confirmed = sum(1 for n in names if final.get(n) == "SUCCEEDED")
    left = env.stock_of(product)
    leaked = stock - left - confirmed
    if stuck:
        violations.append(f"{len(stuck)} executions did not finish after the restart (still {final[stuck[0]]})")
    if leaked:
        violations.append(f"{leaked} units held by orders that were not confirmed")
    return {
        "orders": orders,
        "status_at_stop": dict(Counter(at_stop.values())),
        "in_flight_at_stop": len(in_flight),
        "waiting_on_a_worker_at_stop": len(on_worker),
        "restart_seconds": round(restart_seconds, 1),
        "resumed_after_restart": len(resumed),
        "not_resumed": len(stuck),
        "final_status": dict(Counter(final.values())),
        "confirmed": confirmed,
        "units_leaked": leaked,
        "violations": violations,
    }
