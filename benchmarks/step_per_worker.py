"""A step-per-worker order orchestrator, for comparing its durable operations with the chained-invoke design.

Every stage is a step, and each worker is called *inside* a step of its parallel branch (in the JavaScript SDK,
``childCtx.step('inventory-check', () => lambda.invoke(...))``): a synchronous Lambda invoke, during which the
orchestrator keeps running (and is billed). ``LAMBDAS`` stands in for the Lambda API: the benchmark registers
the same timed stand-in workers there that it registers with the testing runner for the real orchestrator.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from aws_durable_execution_sdk_python import DurableContext, ParallelBranch, durable_execution
from aws_durable_execution_sdk_python.config import Duration, ParallelConfig

from benchmarks import env

orchestrator = env.load("order_processing.orchestrator")
pricing = env.load("order_processing.pricing")
worker_results = env.load("order_processing.worker_results")
ALL_COMPLETED = env.attr("common.durable", "ALL_COMPLETED")

WORKERS: tuple[str, ...] = worker_results.WORKERS
LAMBDAS: dict[str, Callable[[Any, Any], Any]] = {}


def invoke_lambda(worker: str, payload: dict[str, Any]) -> Any:
    """Stand-in for ``lambda.invoke(RequestResponse)`` of the worker function."""
    return LAMBDAS[worker](payload, None)


def _branch(worker: str, payload: dict[str, Any]) -> ParallelBranch[Any]:
    def run(child: DurableContext) -> Any:
        return child.step(lambda _: invoke_lambda(worker, payload), name=f"{worker}-check")

    return ParallelBranch(func=run, name=worker)


def _check(batch: Any) -> dict[str, Any]:
    answers, failures = worker_results.read_worker_results(batch)
    return {"answers": answers, "failures": failures}


@durable_execution
def handler(event: Any, context: DurableContext) -> dict[str, Any]:
    admitted = context.step(lambda _: orchestrator.admit_order(event), name="validate-input")
    if not admitted["valid"]:
        return dict(orchestrator.validation_failure(admitted["error"]))
    order = admitted["order"]
    subtotal: Decimal = context.step(lambda _: pricing.subtotal(order["items"]), name="calculate-subtotal")
    payloads = orchestrator.worker_payloads(order, subtotal)
    batch = context.parallel(
        [_branch(worker, payloads[worker]) for worker in WORKERS],
        name="parallel-workers",
        config=ParallelConfig(completion_config=ALL_COMPLETED),
    )
    checked = context.step(lambda _: _check(batch), name="validate-results")
    if checked["failures"]:
        return {"success": False, "orderId": order["orderId"], "failures": checked["failures"]}
    answers = checked["answers"]
    totals = context.step(
        lambda _: pricing.totals(
            subtotal, Decimal(str(answers["shipping"]["cost"])), Decimal(str(answers["tax"]["amount"]))
        ),
        name="calculate-totals",
    )
    context.wait(Duration.from_seconds(1), name="confirmation-delay")
    finalized = context.step(lambda _: orchestrator._finalize(admitted["receivedAtMs"]), name="finalize-order")
    return {
        "success": True,
        "orderId": order["orderId"],
        "result": {**orchestrator.confirmation(order, answers, totals), "confirmedAt": finalized["confirmedAt"]},
        "processingTimeMs": finalized["processingTimeMs"],
    }
