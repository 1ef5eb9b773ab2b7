"""Bad input: hypothesis-generated events for the three durable functions, through Invoke of their aliases.

Proves: every answer is one of the documented shapes of docs/contracts.md (a result or a structured error); no
answer carries FunctionError (no unhandled error); no invoke exceeds the per-invoke timeout (no hung execution).
"""

import time
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.soak.env import SoakEnv

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**9), 10**9)
    | st.floats(-1e6, 1e6, allow_nan=False)
    | st.text(max_size=20)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def _with_some(base: dict[str, Any]) -> Any:
    """Objects shaped like the contract's input, with each field kept, dropped or replaced by any JSON value."""
    return st.fixed_dictionaries({}, optional={key: st.just(value) | JSON for key, value in base.items()})


ITEM = st.fixed_dictionaries(
    {},
    optional={
        "productId": st.sampled_from(["PROD-003", "PROD-404"]) | JSON,
        "quantity": st.integers(-2, 3) | JSON,
        "price": st.floats(-5, 500, allow_nan=False) | JSON,
    },
)
ORDERS = JSON | st.fixed_dictionaries(
    {},
    optional={
        "orderId": st.builds(lambda: f"ORD-FUZZ-{uuid.uuid4().hex[:10]}") | JSON,
        "items": st.lists(ITEM, max_size=3) | JSON,
        "customer": _with_some(
            {"id": "C-1", "address": {"state": "CA", "zipCode": "94102"}, "paymentMethod": "credit_card"}
        )
        | JSON,
    },
)
MATH = JSON | _with_some({"num1": 10, "num2": 5}) | st.fixed_dictionaries({"num1": JSON, "num2": JSON})
RECORD = st.fixed_dictionaries(
    {"messageId": st.builds(lambda: f"fuzz-{uuid.uuid4()}")},
    optional={"body": st.text(max_size=40) | JSON.map(lambda v: __import__("json").dumps(v)) | JSON},
)
PIPELINE = (
    JSON
    | st.fixed_dictionaries({"Records": st.lists(RECORD, max_size=3) | JSON})
    | st.fixed_dictionaries(
        {"Records": st.lists(st.fixed_dictionaries({}, optional={"messageId": JSON, "body": JSON}), max_size=2)}
    )
)


def is_order_answer(body: Any) -> bool:
    if not isinstance(body, dict):
        return False
    if body.get("success") is True:
        return body.get("result", {}).get("status") == "CONFIRMED" and isinstance(body.get("processingTimeMs"), int)
    if body.get("message") == "Order processing failed":
        error = body.get("error", {})
        return error.get("name") == "ValidationError" and {"message", "field"} <= set(error)
    return (
        body.get("message") == "Order validation failed"
        and isinstance(body.get("failures"), list)
        and all(
            f.get("step") in {"inventory", "payment", "shipping", "tax"} and f.get("reason") for f in body["failures"]
        )
    )


def is_math_answer(body: Any) -> bool:
    return isinstance(body, dict) and (
        set(body) == {"Add", "Subtract", "Multiply", "Division"}
        or body == {"error_details": "One or more operations failed"}
    )


def is_pipeline_answer(body: Any) -> bool:
    if not isinstance(body, dict) or not isinstance(body.get("batchItemFailures"), list):
        return False
    if "error" in body:
        return body["error"].get("name") == "InvalidEvent" and body["batchItemFailures"] == []
    return isinstance(body.get("summary"), dict)


TARGETS = {
    "order-processor": ("order_processor_alias_arn", ORDERS, is_order_answer),
    "parallel-math": ("parallel_math_alias_arn", MATH, is_math_answer),
    "durable-data-pipeline": ("data_pipeline_alias_arn", PIPELINE, is_pipeline_answer),
}


def _checker(
    env: SoakEnv, lam: Any, alias: str, *, strategy: Any, documented: Any, examples: int, seen: list[float]
) -> Any:
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(event=strategy)
    def check(event: Any) -> None:
        started = time.monotonic()
        response, body = env.invoke(lam, alias, event)
        seen.append(time.monotonic() - started)
        assert "FunctionError" not in response, f"FunctionError for {event!r:.200}: {body!r:.300}"
        assert documented(body), f"undocumented answer for {event!r:.200}: {body!r:.300}"

    return check


def run(env: SoakEnv, examples: int = 30, invoke_timeout_s: int = 90) -> dict[str, Any]:
    lam = env.client("lambda", read_timeout=invoke_timeout_s)
    figures: dict[str, Any] = {}
    violations: list[str] = []
    for function, (output, strategy, documented) in TARGETS.items():
        seen: list[float] = []
        try:
            _checker(
                env, lam, env.outputs[output], strategy=strategy, documented=documented, examples=examples, seen=seen
            )()
        except Exception as error:
            violations.append(f"{function}: {str(error)[:600]}")
        figures[function] = {"examples": len(seen), "slowest_s": round(max(seen, default=0.0), 2)}
    return {**figures, "examples_per_function": examples, "violations": violations}
