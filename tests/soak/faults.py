"""Faults: a worker that fails transiently or permanently, through the local-only fault switch.

The documented way to turn the switch on is the local tfvars (``fault_injection = {worker, mode, failures,
delay_seconds}``, refused by validation outside the local environment), which Terraform turns into the
FAULT_INJECTION variable of that worker. An apply per mode would cost minutes, so this scenario ships the same
variable as a release through the Lambda API of the local endpoint (a worker version with it, an orchestrator
version pinning that worker version, the live alias moved), and rolls it back after.

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
FAULT_POLICY = "make-soak-fault-injection"


@contextmanager
def fault_switch(  # noqa: PLR0917 - the switch's fields
    env: SoakEnv,
    worker: str,
    mode: str,
    failures: int = 1,
    delay_seconds: int = 5,
    orchestrator: str = "order-processor",
    worker_function: str | None = None,
) -> Iterator[None]:
    """A release with FAULT_INJECTION on the worker for the duration of the block, rolled back after.

    ``orchestrator`` is the durable function whose ``<WORKER>_FUNCTION`` variable pins the worker;
    ``worker_function`` the worker's key in ``function_names`` (default ``<worker>-worker``, the order workers;
    the pipeline's are ``data-<worker>``).

    Releases are pinned (the orchestrator's version names the worker versions it calls), so the switch ships as a
    deploy would: a new worker version with the variable, a new orchestrator version pinning it, the live alias
    moved onto it. Leaving the block releases the fix the same way: both functions published again with the
    configuration they had before, the alias moved onto that, and their unpublished configuration restored. The
    newest published versions are then healthy again, which matters because Terraform reads a function's newest
    published version as its release: the next apply pins the fixed worker, never the faulty one.
    """
    lam = env.client("lambda")
    orchestrator, worker_name = env.function(orchestrator), env.function(worker_function or f"{worker}-worker")
    live = lam.get_alias(FunctionName=orchestrator, Name="live")["FunctionVersion"]
    pinned = _variables(lam, orchestrator, live)
    variable = f"{worker.upper()}_FUNCTION"
    worker_before = _variables(lam, worker_name, pinned[variable].rsplit(":", 1)[-1])
    orchestrator_latest, worker_latest = _variables(lam, orchestrator), _variables(lam, worker_name)
    spec = {
        "worker": worker,
        "mode": mode,
        "failures": failures,
        "delay_seconds": delay_seconds,
        "table": env.outputs["inventory_table_name"],
    }
    # The grant Terraform gives the worker with the switch (terraform/stack/order_processing.tf, fault_policy): its
    # call counter in the inventory table. IAM is enforced locally, so the switch needs it here too.
    iam, role = env.client("iam"), f"{worker_name}-role"
    table_arn = env.client("dynamodb").describe_table(TableName=spec["table"])["Table"]["TableArn"]
    counter = {"Effect": "Allow", "Action": ["dynamodb:UpdateItem"], "Resource": [table_arn]}
    iam.put_role_policy(
        RoleName=role,
        PolicyName=FAULT_POLICY,
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Sid": "FaultInjectionCounter", **counter}]}
        ),
    )

    def pinning(worker_version: str) -> dict[str, str]:
        """The orchestrator's variables with the worker pinned at ``worker_version``."""
        return {**pinned, variable: f"{pinned[variable].rsplit(':', 1)[0]}:{worker_version}"}

    faulty_worker = _publish(lam, worker_name, {**worker_before, "FAULT_INJECTION": json.dumps(spec)})
    faulty = _publish(lam, orchestrator, pinning(faulty_worker))
    lam.update_alias(FunctionName=orchestrator, Name="live", FunctionVersion=faulty)
    try:
        yield
    finally:
        fixed_worker = _publish(lam, worker_name, worker_before, "the fix")
        fixed = _publish(lam, orchestrator, pinning(fixed_worker), "the fix")
        lam.update_alias(FunctionName=orchestrator, Name="live", FunctionVersion=fixed)
        _set_environment(lam, orchestrator, orchestrator_latest)
        _set_environment(lam, worker_name, worker_latest)
        iam.delete_role_policy(RoleName=role, PolicyName=FAULT_POLICY)


def _variables(lam: Any, name: str, qualifier: str = "$LATEST") -> dict[str, str]:
    config = lam.get_function_configuration(FunctionName=name, Qualifier=qualifier)
    return dict(config.get("Environment", {}).get("Variables", {}))


def _publish(lam: Any, name: str, variables: dict[str, str], what: str = "fault switch") -> str:
    """Set the function's environment and publish it as a new version; the version number."""
    _set_environment(lam, name, variables)
    return str(lam.publish_version(FunctionName=name, Description=f"make soak: {what}")["Version"])


def _set_environment(lam: Any, name: str, variables: dict[str, str]) -> None:
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": variables})
    wait_until(
        lambda: lam.get_function_configuration(FunctionName=name).get("LastUpdateStatus", "Successful") == "Successful",
        timeout_s=30,
    )


def operations(env: SoakEnv, execution_arn: str) -> list[tuple[str, str]]:
    """(name, status) of every operation of an execution, from its history."""
    return [(op.name, op.status) for op in workloads.timeline(workloads.history_events(env.outputs, execution_arn))]


def run(env: SoakEnv, orders: int = 3, failures: int = 2) -> dict[str, Any]:
    run_id = uuid.uuid4().hex[:8]
    product = f"SOAK-FAULT-{run_id}"
    stock = 100
    env.put_product(product, stock)
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
    left = env.stock_of(product)
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
