"""Local-only fault injection: make one worker fail its first N calls per order or record (transient) or every
call, or answer late (slow: ``delay_seconds`` before each call, so its chained invokes are in flight for that long).

Terraform sets FAULT_INJECTION on the chosen order worker only when the local environment's tfvars set
``fault_injection`` (the variable's validation refuses it anywhere else); the pipeline's workers take the same
variable from a release made through the Lambda API (tests/soak/faults.py). The value is JSON
``{"worker": "payment", "mode": "transient"|"permanent"|"slow", "failures": N, "delay_seconds": S,
"table": <inventory table>}``.
Unset, :func:`inject` returns after one dictionary lookup: no import, no client, no call.

"First N calls" is counted per order (``orderId``) or pipeline record (``execution_id``) across invocations with an
atomic ADD on the item ``FAULT#<worker>#<id>`` of the inventory table, so the count survives the worker's cold starts
and the orchestrator's retries.
"""

import json
import os
import time
from typing import Any

FAULT_ENV = "FAULT_INJECTION"
WORKERS = ("inventory", "payment", "shipping", "tax", "validator", "transformer", "storage")
MODES = ("transient", "permanent", "slow")


class InjectedFault(RuntimeError):
    """The failure the fault switch asked for."""


def _spec() -> dict[str, Any] | None:
    raw = os.environ.get(FAULT_ENV, "").strip()
    if not raw:
        return None
    spec = json.loads(raw)
    if not isinstance(spec, dict) or spec.get("worker") not in WORKERS or spec.get("mode") not in MODES:
        msg = f"environment variable {FAULT_ENV} must name a worker of {WORKERS} and a mode of {MODES}, got {raw!r}"
        raise InjectedFault(msg)
    return spec


def _calls_so_far(table: str, worker: str, order_id: str) -> int:
    import boto3  # noqa: PLC0415 - only when the switch is on: no import-time cost otherwise

    updated = boto3.client("dynamodb").update_item(
        TableName=table,
        Key={"pk": {"S": f"FAULT#{worker}#{order_id}"}},
        UpdateExpression="ADD calls :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues="UPDATED_NEW",
    )
    return int(updated["Attributes"]["calls"]["N"])


def inject(worker: str, event: Any) -> None:
    """Raise InjectedFault when the switch targets ``worker`` and this call must fail, or sleep when it must be
    slow; otherwise do nothing."""
    spec = _spec()
    if spec is None or spec["worker"] != worker:
        return
    if isinstance(event, dict) and event.get("action") == "release":
        return  # the saga's compensation is never faulted: a rejected order must always give its stock back
    if spec["mode"] == "slow":
        time.sleep(float(spec.get("delay_seconds", 5)))
        return
    if spec["mode"] == "permanent":
        msg = f"injected permanent fault in the {worker} worker"
        raise InjectedFault(msg)
    failures = int(spec.get("failures", 1))
    fields = event if isinstance(event, dict) else {}
    order_id = str(fields.get("orderId") or fields.get("execution_id") or "")
    calls = _calls_so_far(str(spec["table"]), worker, order_id)
    if calls <= failures:
        msg = f"injected transient fault in the {worker} worker (call {calls} of {failures} failing)"
        raise InjectedFault(msg)
