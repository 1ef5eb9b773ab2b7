"""Order processing: the parallel section against its slowest worker, and durable operations per order.

The real orchestrator runs under the testing runner with its four workers registered as chained-invoke targets.
Each stand-in worker sleeps a fixed latency (LATENCY_S) and then answers with the real worker's rule
(payment.authorize, shipping.quote, tax.assess); inventory answers {"available": true, "reservationId":
RES-<hash of the order id>} without DynamoDB, since its transaction cost is not what this figure is about.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import durable, env, step_per_worker

orchestrator = env.load("order_processing.orchestrator")
payment = env.load("order_processing.workers.payment")
shipping = env.load("order_processing.workers.shipping")
tax = env.load("order_processing.workers.tax")
stable_id = env.attr("order_processing.workers", "stable_id")
to_decimal = env.attr("common.money", "to_decimal")

# Stand-in latencies: payment is the slowest, so the parallel section should last about its 200 ms.
LATENCY_S = {"inventory": 0.150, "payment": 0.200, "shipping": 0.125, "tax": 0.100}
# The sample order, the same file `make invoke` and the demo send.
SAMPLE_ORDER: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[1] / "examples/orders/sample-ca.json").read_text()
)
EXPECTED_TOTAL = 130.68


def _inventory(event: Any) -> dict[str, Any]:
    return {"available": True, "reservationId": stable_id("RES", event["orderId"])}


def _payment(event: Any) -> Any:
    return payment.authorize(event["orderId"], to_decimal(event["amount"]), event.get("paymentMethod"))


def _shipping(event: Any) -> Any:
    return shipping.quote(sum(item["quantity"] for item in event["items"]), event["state"])


def _tax(event: Any) -> Any:
    return tax.assess(to_decimal(event["subtotal"]), event["state"])


ANSWERS = {"inventory": _inventory, "payment": _payment, "shipping": _shipping, "tax": _tax}


def workers(spans: durable.Spans) -> dict[str, durable.Worker]:
    return {
        f"{name.upper()}_FUNCTION": durable.timed(name, LATENCY_S[name], ANSWERS[name], spans) for name in LATENCY_S
    }


@dataclass
class OrderRun:
    section_s: float  # run-workers: parallel context start to end, from the checkpointed timestamps
    overlap_s: float  # first worker start to last worker end, timed inside the stand-ins
    slowest_s: float  # the slowest worker call, timed inside the stand-in
    total_worker_s: float  # sum of the worker calls: the sequential lower bound
    operations: int
    kinds: dict[str, int]
    runner_retries: int


def _check_confirmed(result: Any) -> None:
    response = json.loads(result.result or "null")
    if not response or response["result"]["totals"]["total"] != EXPECTED_TOTAL:
        msg = f"the benchmark order was not confirmed with the contract's totals: {response}"
        raise RuntimeError(msg)


def _measure(handler: Any, registered: dict[str, Any], spans: durable.Spans, section: str) -> OrderRun:
    """One run of the sample order through ``handler``; ``section`` names its parallel section."""
    with durable.retries_counted() as retries:
        result = durable.run(handler, registered, SAMPLE_ORDER)
    _check_confirmed(result)
    durations = spans.durations()
    return OrderRun(
        section_s=durable.section_seconds(result, section),
        overlap_s=spans.overlap(),
        slowest_s=max(durations.values()),
        total_worker_s=sum(durations.values()),
        operations=durable.op_count(result),
        kinds=durable.op_kinds(result),
        runner_retries=retries[0],
    )


def run_once() -> OrderRun:
    spans = durable.Spans()
    return _measure(orchestrator.handler, workers(spans), spans, "run-workers")


def run_step_per_worker_once() -> OrderRun:
    """The step-per-worker structure: workers called synchronously inside steps; no chained invokes, no runner
    workers."""
    spans = durable.Spans()
    for env_name, worker in workers(spans).items():
        step_per_worker.LAMBDAS[env_name.removesuffix("_FUNCTION").lower()] = worker
    return _measure(step_per_worker.handler, {}, spans, "parallel-workers")
