"""Stranding: worker answers and wait completions land while the handler's invocation is still running.

Each round ships a cold release of both durable workloads (a new version of the orchestrator, of the pipeline and
of every worker their live versions pin, the ``live`` aliases moved onto them, as a deploy would) and at once
starts its share of the orders (Invoke, InvocationType Event, a DurableExecutionName each) and sends its share of
the pipeline messages. Cold workers answer seconds apart, each answer re-invokes a handler whose previous
invocation is often still running (the engine defers the re-invoke), and the orders' confirmation wait ends while
the invocation that started it is still returning: the interleavings in which the stock engine loses the
re-invoke (local/README.md, "Executions stranded by a lost wake-up").

Counts, once every execution has ended or ``settle_timeout_s`` passed after each round: executions still
``RUNNING`` with nothing pending (no chained invoke, wait, callback or step retry open in their history, and no
progress over ``recheck_s``: nothing will ever invoke them again, ``stranded``), executions still running
otherwise (``still_running``: work open or an invocation in progress, i.e. slow), and how often the engine's guard
re-invoked a stranded execution (its log lines in the engine's log; 0 means the engine itself never stranded one).
"""

import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local.durable_engine import GUARD_LOG_MARK
from scripts import workloads

from tests.soak.contention import order
from tests.soak.env import SoakEnv, wait_until
from tests.soak.faults import _publish, _set_environment, _variables
from tests.soak.storm import send_all

# Open operations of these kinds are work the engine drives on its own (a worker's answer, a timer, a callback).
PENDING_KINDS = frozenset({"ChainedInvoke", "Wait", "Callback", "Step"})


@contextmanager
def cold_release(env: SoakEnv, function_suffix: str, marker: str) -> Iterator[None]:
    """A new version of the function and of every worker its live version pins, ``live`` moved onto it, so the
    next executions start cold everywhere; rolled back (alias and unpublished configurations) after the block."""
    lam = env.client("lambda")
    name = env.function(function_suffix)
    live = lam.get_alias(FunctionName=name, Name="live")["FunctionVersion"]
    pinned = _variables(lam, name, live)
    restore = {name: _variables(lam, name)}
    fresh = dict(pinned)
    for variable, target in pinned.items():
        parts = target.split(":")
        if not (variable.endswith("_FUNCTION") and target.startswith("arn:aws:lambda:") and len(parts) == 8):
            continue  # not a version-pinned worker ARN
        worker, version = parts[6], parts[7]
        restore.setdefault(worker, _variables(lam, worker))
        worker_version = _publish(lam, worker, {**_variables(lam, worker, version), "SOAK_RELEASE": marker})
        fresh[variable] = ":".join([*parts[:7], worker_version])
    lam.update_alias(
        FunctionName=name, Name="live", FunctionVersion=_publish(lam, name, {**fresh, "SOAK_RELEASE": marker})
    )
    try:
        yield
    finally:
        lam.update_alias(FunctionName=name, Name="live", FunctionVersion=live)
        for function, variables in restore.items():
            _set_environment(lam, function, variables)


def history(env: SoakEnv, arn: str) -> list[dict[str, Any]]:
    """Every event of the execution's history, read on the soak's endpoint."""
    events: list[dict[str, Any]] = []
    for page in env.client("lambda").get_paginator("get_durable_execution_history").paginate(DurableExecutionArn=arn):
        events += page["Events"]
    return events


def open_work(events: list[dict[str, Any]]) -> list[str]:
    """Names of the open operations in a history that the engine, not the handler, completes."""
    timeline = workloads.timeline(events)
    return [f"{op.kind}:{op.name}" for op in timeline if op.ended is None and op.kind in PENDING_KINDS]


def census(env: SoakEnv, running: list[str], recheck_s: float) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """(stranded, still running otherwise) among ``running``. Stranded: nothing open in its history, and neither
    its status nor its history moved over ``recheck_s`` (an execution inside a slow invocation has nothing open
    either, but its history moves or it ends)."""
    lam = env.client("lambda")
    candidates: dict[str, int] = {}
    others: list[tuple[str, list[str]]] = []
    for arn in running:
        events = history(env, arn)
        work = open_work(events)
        if work:
            others.append((arn, work))
        else:
            candidates[arn] = len(events)
    if candidates:
        time.sleep(recheck_s)
    stranded = []
    for arn, seen in candidates.items():
        if lam.get_durable_execution(DurableExecutionArn=arn)["Status"] != "RUNNING":
            continue
        events = history(env, arn)
        if len(events) == seen and not open_work(events):
            stranded.append(arn)
        else:
            others.append((arn, open_work(events) or ["an invocation in progress"]))
    return stranded, others


def running_since(lam: Any, function: str, started_after: datetime) -> list[str]:
    """ARNs of the function's executions started after ``started_after`` that are still RUNNING."""
    found = executions_since(lam, function, started_after)
    return [e["DurableExecutionArn"] for e in found if e["Status"] == "RUNNING"]


def executions_since(lam: Any, function: str, started_after: datetime) -> list[dict[str, Any]]:
    """The function's executions started after ``started_after`` (the local engine ignores a Statuses filter)."""
    found: list[dict[str, Any]] = []
    paginator = lam.get_paginator("list_durable_executions_by_function")
    for page in paginator.paginate(FunctionName=function, StartedAfter=started_after):
        found += page["DurableExecutions"]
    return found


def guard_fires(engine_log: Path) -> int:
    """How many times the engine's guard re-invoked a stranded execution, from its log."""
    if not engine_log.exists():
        return 0
    return engine_log.read_text(errors="replace").count(GUARD_LOG_MARK)


def run(
    env: SoakEnv,
    *,
    orders: int = 500,
    messages: int = 500,
    rounds: int = 5,
    concurrency: int = 16,
    settle_timeout_s: float = 300,
    recheck_s: float = 30,
    engine_log: Path = Path("build/local/engine.log"),
) -> dict[str, Any]:
    run_id = uuid.uuid4().hex[:8]
    product = f"SOAK-STRAND-{run_id}"
    env.put_product(product, orders * 2)
    lam = env.client("lambda", pool=concurrency + 4)
    sqs = env.client("sqs")
    queue = env.outputs["data_processing_queue_url"]
    orchestrator, pipeline = env.function("order-processor"), env.function("durable-data-pipeline")
    alias = env.outputs["order_processor_alias_arn"]
    fires_before = guard_fires(engine_log)
    started_at = datetime.now(UTC)
    started = time.monotonic()
    arns: dict[str, str] = {}

    def start(name: str) -> tuple[str, str]:
        response, _ = env.invoke(lam, alias, order(name, product, 1), InvocationType="Event", DurableExecutionName=name)
        return name, str(response["DurableExecutionArn"])

    def all_ended() -> bool:
        """The queue is empty and no execution of either workload started by this run is running."""
        depth = sqs.get_queue_attributes(
            QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        return not any(int(n) for n in depth.values()) and not any(
            running_since(lam, function, started_at) for function in (orchestrator, pipeline)
        )

    for round_no in range(rounds):
        names = [f"soak-strand-{run_id}-{round_no}-{n:04d}" for n in range(round_no, orders, rounds)]
        bodies = [
            ("good", json.dumps({"data_source": f"strand-{run_id}-{n}.csv", "processing_type": "standard"}))
            for n in range(round_no, messages, rounds)
        ]
        with ExitStack() as release:
            for function in ("order-processor", "durable-data-pipeline"):
                release.enter_context(cold_release(env, function, f"{run_id}-{round_no}"))
            send_all(sqs, queue, bodies)
            with ThreadPoolExecutor(max_workers=concurrency) as pool:
                arns.update(pool.map(start, names))
            # The release stays live until its executions and messages are done, so every one of them runs this
            # round's cold versions; a stranded execution holds the round for the whole timeout.
            wait_until(all_ended, settle_timeout_s, interval_s=3)

    order_status = Counter(str(lam.get_durable_execution(DurableExecutionArn=arn)["Status"]) for arn in arns.values())
    still_running = {
        "order-processor": running_since(lam, orchestrator, started_at),
        "durable-data-pipeline": running_since(lam, pipeline, started_at),
    }
    stranded: dict[str, list[str]] = {}
    stuck: dict[str, list[tuple[str, list[str]]]] = {}
    for function, running in still_running.items():
        idle, busy = census(env, running, recheck_s)
        if idle:
            stranded[function] = idle
        if busy:
            stuck[function] = busy
    pipeline_executions = len(executions_since(lam, pipeline, started_at))
    fired = guard_fires(engine_log) - fires_before
    stranded_count = sum(len(v) for v in stranded.values())
    stuck_count = sum(len(v) for v in stuck.values())
    violations: list[str] = []
    if stranded_count:
        violations.append(f"{stranded_count} executions RUNNING with nothing pending: {dict(stranded)}"[:600])
    if stuck_count:
        violations.append(f"{stuck_count} executions still running after the timeout: {dict(stuck)}"[:600])
    failed = {status: n for status, n in order_status.items() if status not in {"SUCCEEDED", "RUNNING"}}
    if failed:
        violations.append(f"orders ended otherwise than confirmed (stock was plenty): {failed}")
    if fired:
        violations.append(f"the engine's guard re-invoked {fired} stranded executions (see {engine_log})")
    executions = len(arns) + pipeline_executions
    return {
        "orders": orders,
        "messages": messages,
        "rounds_cold": rounds,
        "order_status": dict(order_status),
        "pipeline_executions": pipeline_executions,
        "stranded": stranded_count,
        "stranded_orders": len(stranded.get("order-processor", [])),
        "stranded_pipeline": len(stranded.get("durable-data-pipeline", [])),
        "stranded_rate": round(stranded_count / executions, 4) if executions else 0.0,
        "still_running": stuck_count,
        "guard_fired": fired,
        "seconds": round(time.monotonic() - started, 1),
        "violations": violations,
    }
