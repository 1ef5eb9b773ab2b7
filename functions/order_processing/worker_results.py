"""Reading the parallel section's BatchResult: what each worker said, and why an order is rejected."""

from typing import Any, TypedDict

from aws_durable_execution_sdk_python import BatchResult
from aws_durable_execution_sdk_python.config import BatchItemStatus

WORKERS = ("inventory", "payment", "shipping", "tax")

# What a successful answer of each worker must contain; anything else is a failure of that step.
REQUIRED_KEYS = {
    "inventory": ("available",),
    "payment": ("valid",),
    "shipping": ("cost", "estimatedDays", "carrier"),
    "tax": ("amount", "rate", "jurisdiction"),
}


class Failure(TypedDict):
    step: str
    reason: str


def _refusal(worker: str, answer: dict[str, Any]) -> str | None:
    """A worker that answered but said no (out of stock, declined)."""
    if worker == "inventory" and answer["available"] is not True:
        return str(answer.get("reason") or "items are not available")
    if worker == "payment" and answer["valid"] is not True:
        return str(answer.get("reason") or "payment was declined")
    return None


def read_worker_results(batch: BatchResult[Any]) -> tuple[dict[str, dict[str, Any]], list[Failure]]:
    """Map each branch to its worker's answer; list a failure per branch that failed, answered badly or said no."""
    answers: dict[str, dict[str, Any]] = {}
    failures: list[Failure] = []
    for item in sorted(batch.all, key=lambda entry: entry.index):
        worker = WORKERS[item.index]
        if item.status is not BatchItemStatus.SUCCEEDED:
            message = item.error.message if item.error is not None else "did not complete"
            failures.append({"step": worker, "reason": f"{worker} worker failed: {message}"})
            continue
        answer = item.result
        if not isinstance(answer, dict) or any(key not in answer for key in REQUIRED_KEYS[worker]):
            failures.append({"step": worker, "reason": f"{worker} worker returned an unexpected answer"})
            continue
        answers[worker] = answer
        refusal = _refusal(worker, answer)
        if refusal is not None:
            failures.append({"step": worker, "reason": refusal})
    return answers, failures


def stock_may_be_held(answers: dict[str, dict[str, Any]]) -> bool:
    """False only when inventory answered that nothing was available (its reservation is all-or-nothing)."""
    inventory = answers.get("inventory")
    return inventory is None or inventory.get("available") is True
