"""Order processing orchestrator (durable): the workflow, one named durable operation per stage.

validate-order      step: the input contract, and the clock reading processingTimeMs starts from
(subtotal)          pure arithmetic on the checkpointed order: replay recomputes it identically
run-workers         parallel: inventory, payment, shipping, tax, each a chained invoke of its worker Lambda,
                    so this function is suspended (not billed) while the workers run; a failed invoke is
                    retried in its branch (retry-wait-<w>-<n>, invoke-<w>-retry-<n>), only on that failure path
(check results)     pure reading of the checkpointed BatchResult
release-inventory   invoke, only when the order is rejected and stock may be held (saga compensation)
confirmation-delay  durable wait, CONFIRMATION_DELAY_SECONDS (1 s unless configured)
finalize-order      step: confirmation time and processing time (clocks only inside steps)
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aws_durable_execution_sdk_python import DurableContext, ParallelBranch, durable_execution
from aws_durable_execution_sdk_python.config import Duration, ParallelConfig, StepConfig
from aws_durable_execution_sdk_python.exceptions import InvokeError
from aws_durable_execution_sdk_python.retries import RetryPresets

from common.clock import now_iso, now_ms
from common.durable import ALL_COMPLETED
from common.money import to_decimal
from common.observability import observability
from common.settings import int_env, require_env
from order_processing import pricing
from order_processing.validation import Order, OrderValidationError, validate_order
from order_processing.worker_results import WORKERS, read_worker_results, stock_may_be_held

obs = observability("order-processing")
logger = obs.logger

# The durable wait before confirming (Terraform: order_processing.confirmation_delay_seconds, default 1 s).
CONFIRMATION_DELAY = Duration.from_seconds(int_env("CONFIRMATION_DELAY_SECONDS", 1))
# A failed worker invoke is tried again this many times (waits of 1 s, 2 s, ...) before the order is rejected.
WORKER_RETRIES = 2
# Validation is deterministic: retrying it cannot change the answer.
NO_RETRY = StepConfig(retry_strategy=RetryPresets.none())
# Every worker runs to completion so a rejection lists all reasons and the saga knows what inventory did.
ALL_WORKERS = ParallelConfig(completion_config=ALL_COMPLETED)


@dataclass(frozen=True)
class Settings:
    """The worker Lambdas this orchestrator chain-invokes (ARNs or names, set by Terraform)."""

    inventory_function: str
    payment_function: str
    shipping_function: str
    tax_function: str

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            inventory_function=require_env("INVENTORY_FUNCTION"),
            payment_function=require_env("PAYMENT_FUNCTION"),
            shipping_function=require_env("SHIPPING_FUNCTION"),
            tax_function=require_env("TAX_FUNCTION"),
        )

    def function_for(self, worker: str) -> str:
        return str(getattr(self, f"{worker}_function"))


SETTINGS = Settings.from_env()


def admit_order(event: Any) -> dict[str, Any]:
    """Step body of validate-order: the normalised order, or the documented ValidationError as a value."""
    try:
        order = validate_order(event)
    except OrderValidationError as error:
        return {"valid": False, "error": error.as_dict()}
    return {"valid": True, "order": order, "receivedAtMs": now_ms()}


def worker_payloads(order: Order, subtotal: Decimal) -> dict[str, dict[str, Any]]:
    """What each worker is sent; money travels as decimal strings."""
    customer = order["customer"]
    return {
        "inventory": {
            "action": "reserve",
            "orderId": order["orderId"],
            "items": [{"productId": i["productId"], "quantity": i["quantity"]} for i in order["items"]],
        },
        "payment": {
            "orderId": order["orderId"],
            "customerId": customer["id"],
            "amount": str(subtotal),
            "paymentMethod": customer["paymentMethod"],
        },
        "shipping": {
            "orderId": order["orderId"],
            "items": [{"productId": i["productId"], "quantity": i["quantity"]} for i in order["items"]],
            "state": customer["state"],
            "zipCode": customer["zipCode"],
        },
        "tax": {"orderId": order["orderId"], "subtotal": str(subtotal), "state": customer["state"]},
    }


def _invoke_branch(worker: str, function_name: str, payload: dict[str, Any]) -> ParallelBranch[Any]:
    def run(child: DurableContext) -> Any:
        try:
            return child.invoke(function_name, payload, name=f"invoke-{worker}")
        except InvokeError as error:
            return _retry_worker(child, worker, function_name, payload, error)

    return ParallelBranch(func=run, name=worker)


def _retry_worker(
    child: DurableContext, worker: str, function_name: str, payload: dict[str, Any], error: InvokeError
) -> Any:
    """A failed worker invoke (crash, timeout, throttle) is tried again, WORKER_RETRIES times after a short durable
    wait, each attempt its own named operation (``retry-wait-<worker>-<n>``, ``invoke-<worker>-retry-<n>``), so the
    retries are visible in the execution history and replay deterministically. The SDK does not retry chained
    invokes; every worker is idempotent per order. Only failure paths gain operations: a healthy order's operations
    are unchanged. The last error propagates: the branch fails and the order is rejected naming the worker."""
    for attempt in range(1, WORKER_RETRIES + 1):
        child.logger.warning("worker invoke failed, retrying", extra={"worker": worker, "attempt": attempt})
        child.wait(Duration.from_seconds(attempt), name=f"retry-wait-{worker}-{attempt}")
        try:
            return child.invoke(function_name, payload, name=f"invoke-{worker}-retry-{attempt}")
        except InvokeError as retry_error:
            error = retry_error
    raise error


def validation_failure(error: dict[str, str]) -> dict[str, Any]:
    return {"success": False, "error": error, "message": "Order processing failed"}


def confirmation(order: Order, answers: dict[str, dict[str, Any]], totals: pricing.Totals) -> dict[str, Any]:
    """The result block of a confirmed order, in the contract's shape."""
    inventory, payment = answers["inventory"], answers["payment"]
    shipping, tax = answers["shipping"], answers["tax"]
    return {
        "orderId": order["orderId"],
        "status": "CONFIRMED",
        "inventory": {"available": True, "reservationId": inventory.get("reservationId")},
        "payment": {"valid": True, "authorizationCode": payment.get("authorizationCode")},
        "shipping": {
            "cost": shipping["cost"],
            "estimatedDays": shipping["estimatedDays"],
            "carrier": shipping["carrier"],
        },
        "tax": {"amount": tax["amount"], "rate": tax["rate"], "jurisdiction": tax["jurisdiction"]},
        "totals": totals,
    }


def _finalize(received_at_ms: int) -> dict[str, Any]:
    return {"confirmedAt": now_iso(), "processingTimeMs": max(0, now_ms() - received_at_ms)}


def _count(context: DurableContext, metric: str) -> None:
    if not context.is_replaying():
        obs.count(metric)


@durable_execution
def handler(event: Any, context: DurableContext) -> dict[str, Any]:
    context.set_logger(logger)
    admitted = context.step(lambda _: admit_order(event), name="validate-order", config=NO_RETRY)
    if not admitted["valid"]:
        context.logger.info("order rejected by validation", extra={"error": admitted["error"]})
        _count(context, "OrdersInvalid")
        return validation_failure(admitted["error"])

    order: Order = admitted["order"]
    logger.set_correlation_id(order["orderId"])
    subtotal = pricing.subtotal(order["items"])
    payloads = worker_payloads(order, subtotal)
    context.logger.info("starting parallel worker execution", extra={"subtotal": str(subtotal)})
    batch = context.parallel(
        [_invoke_branch(w, SETTINGS.function_for(w), payloads[w]) for w in WORKERS],
        name="run-workers",
        config=ALL_WORKERS,
    )
    answers, failures = read_worker_results(batch)

    if failures:
        if stock_may_be_held(answers):
            release = {"action": "release", "orderId": order["orderId"]}
            context.invoke(SETTINGS.inventory_function, release, name="release-inventory")
        context.logger.warning("order rejected", extra={"failures": failures})
        _count(context, "OrdersRejected")
        return {
            "success": False,
            "orderId": order["orderId"],
            "message": "Order validation failed",
            "failures": failures,
        }

    totals = pricing.totals(subtotal, to_decimal(answers["shipping"]["cost"]), to_decimal(answers["tax"]["amount"]))
    context.wait(CONFIRMATION_DELAY, name="confirmation-delay")
    finalized = context.step(lambda _: _finalize(admitted["receivedAtMs"]), name="finalize-order")
    _count(context, "OrdersConfirmed")
    context.logger.info("order confirmed", extra={"total": totals["total"]})
    return {
        "success": True,
        "orderId": order["orderId"],
        "result": {**confirmation(order, answers, totals), "confirmedAt": finalized["confirmedAt"]},
        "message": "Order processed successfully with parallel execution",
        "processingTimeMs": finalized["processingTimeMs"],
    }
