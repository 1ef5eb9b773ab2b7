"""Property-based tests: no input shape makes a handler crash instead of returning its documented answer."""

import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_pipeline import pipeline
from order_processing import orchestrator
from parallel_math import handler as math_handler
from tests.unit.support import DurableRun
from tests.unit.test_orders import SAMPLE_ORDER, WORKERS
from tests.unit.test_pipeline import WORKERS as PIPELINE_WORKERS
from tests.unit.test_pipeline import sqs_event

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
# Order-shaped events with any field replaced by an arbitrary JSON value, so the fuzzing reaches every rule.
order_fields = st.fixed_dictionaries(
    {},
    optional={
        "orderId": st.one_of(st.just("ORD-P"), json_values),
        "items": st.one_of(
            st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "productId": st.one_of(st.sampled_from(["PROD-001", "PROD-002", "X"]), json_values),
                        "quantity": st.one_of(st.integers(-2, 20_000), json_values),
                        "price": st.one_of(st.decimals(-5, 20_000, places=2).map(float), json_values),
                    },
                ),
                max_size=3,
            ),
            json_values,
        ),
        "customer": st.one_of(st.just(SAMPLE_ORDER["customer"]), json_values),
    },
)
VALIDATION_FIELDS = {
    "event",
    "orderId",
    "items",
    "customer.id",
    "customer.address.state",
    "customer.address.zipCode",
    "customer.paymentMethod",
}
SLOW = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(json_values, order_fields))
def test_order_validation_accepts_or_names_the_field(event: Any):
    admitted = orchestrator.admit_order(event)
    if not admitted["valid"]:
        assert admitted["error"]["name"] == "ValidationError"
        assert admitted["error"]["field"] in VALIDATION_FIELDS
        assert admitted["error"]["message"]
        return
    order = admitted["order"]
    assert order["items"]
    assert all(item["quantity"] >= 1 and float(item["price"]) >= 0 for item in order["items"])


@SLOW
@given(st.one_of(json_values, order_fields))
def test_order_orchestrator_always_returns_a_documented_response(inventory_table, event: Any):
    response = DurableRun(orchestrator.handler, WORKERS).result(event)
    assert isinstance(response["success"], bool)
    if response["success"]:
        assert response["result"]["status"] == "CONFIRMED"
        totals = response["result"]["totals"]
        assert math.isclose(totals["total"], totals["subtotal"] + totals["shipping"] + totals["tax"], abs_tol=0.001)
    elif "error" in response:
        assert response["error"]["name"] == "ValidationError"
        assert response["message"] == "Order processing failed"
    else:
        assert response["message"] == "Order validation failed"
        assert response["failures"]


@SLOW
@given(st.fixed_dictionaries({}, optional={"num1": json_values, "num2": json_values}) | json_values)
def test_math_returns_results_or_the_documented_error(event: Any):
    response = DurableRun(math_handler.handler, {}).result(event)
    if "error_details" in response:
        assert response == {"error_details": "One or more operations failed"}
        return
    num1, num2 = math_handler.operands(event)
    assert response == {"Add": num1 + num2, "Subtract": num1 - num2, "Multiply": num1 * num2, "Division": num1 / num2}


@SLOW
@given(st.lists(st.one_of(st.text(max_size=20), json_values.map(json.dumps)), min_size=1, max_size=4))
def test_pipeline_reports_every_record_it_did_not_store(processed_table, bodies: list[str]):
    event = sqs_event(*[(f"m-{index}", body) for index, body in enumerate(bodies)])
    response = DurableRun(pipeline.handler, PIPELINE_WORKERS).result(event)
    failed = {failure["itemIdentifier"] for failure in response["batchItemFailures"]}
    summary = response["summary"]
    assert failed <= {f"m-{index}" for index in range(len(bodies))}
    assert summary["stored"] + summary["duplicate"] + len(failed) == len(bodies)
