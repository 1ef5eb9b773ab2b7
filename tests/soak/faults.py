"""Faults: a worker that fails transiently or permanently, through the local-only fault switch.

The documented way to turn the switch on is the local tfvars (``fault_injection = {worker, mode, failures}``,
refused by validation outside the local environment), which Terraform turns into the FAULT_INJECTION variable of
that worker. An apply per mode would cost minutes, so this scenario sets the same variable on the worker through
the Lambda API (UpdateFunctionConfiguration on the local endpoint) and restores the worker's environment after.

Proves: with a transient fault (first N calls per order fail) orders still confirm, and the failed attempts and
the retries are visible in the execution history (``invoke-<w>`` FAILED, ``retry-wait-<w>-<n>``,
``invoke-<w>-retry-<n>``); with a permanent fault the order is rejected naming the failing step and the stock it
reserved is released.
"""

import json
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from scripts import workloads

from tests.soak.contention import order
from tests.soak.env import SoakEnv, wait_until

WORKER = "payment"


@contextmanager
def fault_switch(env: SoakEnv, worker: str, mode: str, failures: int = 1) -> Iterator[None]:
    """FAULT_INJECTION on the worker for the duration of the block, its previous environment restored after."""
    lam = env.client("lambda")
    name = env.function(f"{worker}-worker")
    previous = dict(lam.get_function_configuration(FunctionName=name).get("Environment", {}).get("Variables", {}))
    spec = {"worker": worker, "mode": mode, "failures": failures, "table": env.outputs["inventory_table_name"]}
    _set_environment(lam, name, {**previous, "FAULT_INJECTION": json.dumps(spec)})
    try:
        yield
    finally:
        _set_environment(lam, name, previous)


def _set_environment(lam: Any, name: str, variables: dict[str, str]) -> None:
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": variables})
    wait_until(
        lambda: lam.get_function_configuration(FunctionName=name).get("LastUpdateStatus", "Successful") == "Successful",
        timeout_s=30,
    )


def operations(env: SoakEnv, execution_arn: str) -> list[tuple[str, str]]:
    """(name, status) of every operation of an execution, from its history."""
    lam = env.client("lambda")
    events: list[dict[str, Any]] = []
    for page in lam.get_paginator("get_durable_execution_history").paginate(DurableExecutionArn=execution_arn):
        events += page["Events"]
    return [(op.name, op.status) for op in workloads.timeline(events)]


def stock_of(env: SoakEnv, product: str) -> int:
    item = env.client("dynamodb").get_item(
        TableName=env.outputs["inventory_table_name"], Key={"pk": {"S": f"PRODUCT#{product}"}}, ConsistentRead=True
    )["Item"]
    return int(item["stock"]["N"])


def run(env: SoakEnv, orders: int = 3, failures: int = 2) -> dict[str, Any]:
    run_id = uuid.uuid4().hex[:8]
    product = f"SOAK-FAULT-{run_id}"
    stock = 100
    env.client("dynamodb").put_item(
        TableName=env.outputs["inventory_table_name"],
        Item={"pk": {"S": f"PRODUCT#{product}"}, "productId": {"S": product}, "stock": {"N": str(stock)}},
    )
    lam = env.client("lambda", pool=orders + 2)
    alias = env.outputs["order_processor_alias_arn"]
    violations: list[str] = []

    def place(order_id: str) -> tuple[dict[str, Any], Any]:
        return env.invoke(lam, alias, order(order_id, product, 1))

    with fault_switch(env, WORKER, "transient", failures), ThreadPoolExecutor(max_workers=orders) as pool:
        transient = list(pool.map(place, [f"ORD-FT-{run_id}-{n}" for n in range(orders)]))
    retries_seen = 0
    for response, body in transient:
        if response.get("FunctionError") or not isinstance(body, dict) or body.get("success") is not True:
            violations.append(f"transient fault: order not confirmed: {body!r:.300}")
            continue
        ops = operations(env, response["DurableExecutionArn"])
        names = [name for name, _ in ops]
        expected = [f"invoke-{WORKER}"] + [
            step for n in range(1, failures + 1) for step in (f"retry-wait-{WORKER}-{n}", f"invoke-{WORKER}-retry-{n}")
        ]
        if [n for n in names if n.startswith((f"invoke-{WORKER}", f"retry-wait-{WORKER}"))] != expected or (
            f"invoke-{WORKER}",
            "FAILED",
        ) not in ops:
            violations.append(f"transient fault: history does not show the retries: {ops}")
        else:
            retries_seen += failures
    confirmed_units = sum(1 for _, body in transient if isinstance(body, dict) and body.get("success") is True)

    with fault_switch(env, WORKER, "permanent"):
        response, body = place(f"ORD-FP-{run_id}")
    failed_steps = [f.get("step") for f in body.get("failures", [])] if isinstance(body, dict) else None
    if response.get("FunctionError") or failed_steps != [WORKER]:
        violations.append(f"permanent fault: expected a rejection naming {WORKER}, got {body!r:.300}")
    else:
        ops = operations(env, response["DurableExecutionArn"])
        if ("release-inventory", "SUCCEEDED") not in ops:
            violations.append(f"permanent fault: no release-inventory in the history: {ops}")
    left = stock_of(env, product)
    if left != stock - confirmed_units:
        violations.append(
            f"stock {left} after {confirmed_units} confirmed units of {stock}: the rejection leaked stock"
        )

    return {
        "worker": WORKER,
        "transient_failures_per_order": failures,
        "transient_orders": orders,
        "transient_confirmed": confirmed_units,
        "retries_in_history": retries_seen,
        "permanent_rejected_step": failed_steps,
        "permanent_reason": body.get("failures", [{}])[0].get("reason")
        if isinstance(body, dict) and body.get("failures")
        else None,
        "stock_left": left,
        "stock_expected": stock - confirmed_units,
        "violations": violations,
    }
