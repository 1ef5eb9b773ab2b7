"""Order processing under AWS's durable testing runner, with the real workers and a moto inventory table."""

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from order_processing import orchestrator, pricing
from order_processing.workers import inventory, payment, shipping, tax
from tests.unit.support import DurableRun

# The sample order, the same file `make invoke` and the demo send.
SAMPLE_ORDER: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[2] / "examples/orders/sample-ca.json").read_text()
)
NY_ORDER = {
    "orderId": "ORD-NY-001",
    "items": [{"productId": "PROD-001", "quantity": 1, "price": 100.00}],
    "customer": {"id": "CUST-NY-123", "address": {"state": "NY", "zipCode": "10001"}, "paymentMethod": "credit_card"},
}
BULK_ORDER = {
    "orderId": "ORD-BULK-001",
    "items": [
        {"productId": "PROD-001", "quantity": 5, "price": 29.99},
        {"productId": "PROD-002", "quantity": 3, "price": 49.99},
        {"productId": "PROD-003", "quantity": 2, "price": 19.99},
    ],
    "customer": {"id": "CUST-456", "address": {"state": "TX", "zipCode": "75001"}, "paymentMethod": "credit_card"},
}
WORKERS = {
    "INVENTORY_FUNCTION": inventory.handler,
    "PAYMENT_FUNCTION": payment.handler,
    "SHIPPING_FUNCTION": shipping.handler,
    "TAX_FUNCTION": tax.handler,
}


def order(**changes: Any) -> dict[str, Any]:
    event = copy.deepcopy(SAMPLE_ORDER)
    event.update(changes)
    return event


@pytest.fixture
def run_order(inventory_table):
    return DurableRun(orchestrator.handler, WORKERS)


def test_the_sample_order_is_confirmed_with_contract_totals(run_order, inventory_table):
    response = run_order.result(SAMPLE_ORDER)

    assert response["success"] is True
    assert response["message"] == "Order processed successfully with parallel execution"
    result = response["result"]
    assert result["orderId"] == "ORD-12345"
    assert result["status"] == "CONFIRMED"
    assert result["totals"] == {"subtotal": 109.97, "shipping": 12.74, "tax": 7.97, "total": 130.68, "currency": "USD"}
    assert result["shipping"] == {"cost": 12.74, "estimatedDays": 2, "carrier": "USPS"}
    assert result["tax"] == {"amount": 7.97, "rate": 0.0725, "jurisdiction": "CA State Tax"}
    assert result["inventory"]["available"] is True
    assert result["inventory"]["reservationId"].startswith("RES-")
    assert result["payment"] == {
        "valid": True,
        "authorizationCode": payment.authorize("ORD-12345", 1, None)["authorizationCode"],
    }
    assert result["confirmedAt"].endswith("Z")
    assert isinstance(response["processingTimeMs"], int)
    assert response["processingTimeMs"] >= 0
    assert inventory_table.all() == {"PROD-001": 998, "PROD-002": 999, "PROD-003": 1000}


def test_new_york_order_uses_four_percent_tax(run_order):
    result = run_order.result(NY_ORDER)["result"]
    assert result["tax"] == {"amount": 4.0, "rate": 0.04, "jurisdiction": "NY State Tax"}
    assert result["shipping"] == {"cost": 8.24, "estimatedDays": 4, "carrier": "USPS"}
    assert result["totals"]["total"] == 112.24


def test_bulk_texas_order_ships_fedex(run_order, inventory_table):
    result = run_order.result(BULK_ORDER)["result"]
    assert result["totals"] == {"subtotal": 339.9, "shipping": 28.49, "tax": 21.24, "total": 389.63, "currency": "USD"}
    assert result["shipping"] == {"cost": 28.49, "estimatedDays": 3, "carrier": "FedEx"}
    assert inventory_table.all() == {"PROD-001": 995, "PROD-002": 997, "PROD-003": 998}


def test_the_invalid_order_returns_the_documented_error(run_order):
    response = run_order.result({"orderId": "ORD-INVALID", "items": [], "customer": {"id": "CUST-999"}})
    assert response == {
        "success": False,
        "error": {
            "name": "ValidationError",
            "message": "items array is required and must not be empty",
            "field": "items",
        },
        "message": "Order processing failed",
    }


@pytest.mark.parametrize(
    ("event", "field", "message"),
    [
        (None, "event", "Event object is null or undefined"),
        (order(orderId=None), "orderId", "orderId is required"),
        (order(orderId=""), "orderId", "orderId is required"),
        (order(items=None), "items", "items array is required and must not be empty"),
        (order(items=[]), "items", "items array is required and must not be empty"),
        (order(customer={"address": {"state": "CA"}}), "customer.id", "customer.id is required"),
        (
            order(customer={"id": "C-1"}),
            "customer.address.state",
            "customer.address.state is required for tax calculation",
        ),
        (
            order(customer={"id": "C-1", "address": {"zipCode": "1"}}),
            "customer.address.state",
            "customer.address.state is required for tax calculation",
        ),
        (
            order(items=[{"productId": "P", "quantity": 0, "price": 1}]),
            "items",
            "items[0].quantity must be an integer from 1 to 10000",
        ),
        (order(items=[{"productId": "P", "quantity": 1, "price": -1}]), "items", "items[0].price must not be negative"),
        (order(items=[{"productId": "P", "quantity": 1, "price": "abc"}]), "items", "items[0].price must be a number"),
    ],
)
def test_every_validation_rule_returns_a_validation_error(run_order, inventory_table, event, field, message):
    response = run_order.result(event)
    assert response == {
        "success": False,
        "error": {"name": "ValidationError", "message": message, "field": field},
        "message": "Order processing failed",
    }
    assert inventory_table.all() == {"PROD-001": 1000, "PROD-002": 1000, "PROD-003": 1000}


def test_validation_rules_apply_in_the_documented_order():
    with pytest.raises(orchestrator.OrderValidationError) as raised:
        orchestrator.validate_order({"items": [], "customer": {}})
    assert raised.value.field == "orderId"


def test_out_of_stock_rejects_the_order_and_keeps_stock(run_order, inventory_table):
    inventory_table.set("PROD-002", 0)
    response = run_order.result(SAMPLE_ORDER)

    assert response["success"] is False
    assert response["message"] == "Order validation failed"
    assert [f["step"] for f in response["failures"]] == ["inventory"]
    assert "PROD-002" in response["failures"][0]["reason"]
    assert inventory_table.all() == {"PROD-001": 1000, "PROD-002": 0, "PROD-003": 1000}
    assert inventory_table.reservation("ORD-12345") is None


def test_unknown_product_rejects_the_order(run_order, inventory_table):
    response = run_order.result(order(items=[{"productId": "NOPE-1", "quantity": 1, "price": 5}]))
    assert response["failures"][0]["step"] == "inventory"
    assert inventory_table.all() == {"PROD-001": 1000, "PROD-002": 1000, "PROD-003": 1000}


def test_declined_payment_releases_the_reserved_stock(run_order, inventory_table):
    declined = order(customer={**SAMPLE_ORDER["customer"], "paymentMethod": "bitcoin"})
    result = run_order(declined)
    response = json.loads(result.result)

    assert response["success"] is False
    assert response["failures"] == [{"step": "payment", "reason": "payment method 'bitcoin' is not supported"}]
    assert inventory_table.all() == {"PROD-001": 1000, "PROD-002": 1000, "PROD-003": 1000}
    assert inventory_table.reservation("ORD-12345")["status"]["S"] == "RELEASED"
    assert result.get_invoke("release-inventory") is not None


def test_payment_above_the_limit_is_declined(run_order, inventory_table):
    response = run_order.result(order(items=[{"productId": "PROD-003", "quantity": 1, "price": 10000.01}]))
    assert response["failures"][0]["step"] == "payment"
    assert "exceeds the limit" in response["failures"][0]["reason"]
    assert inventory_table.get("PROD-003") == 1000


def test_a_failing_worker_rejects_the_order_and_releases_stock(inventory_table):
    def broken_shipping(event: Any, context: Any) -> Any:
        raise RuntimeError("carrier API unavailable")

    run = DurableRun(orchestrator.handler, {**WORKERS, "SHIPPING_FUNCTION": broken_shipping})
    response = run.result(SAMPLE_ORDER)

    assert response["success"] is False
    assert response["failures"][0]["step"] == "shipping"
    assert "carrier API unavailable" in response["failures"][0]["reason"]
    assert inventory_table.all() == {"PROD-001": 1000, "PROD-002": 1000, "PROD-003": 1000}


def test_step_bodies_run_once_across_the_wait_replay(run_order, monkeypatch):
    admitted: list[Any] = []
    subtotals: list[Any] = []
    real_admit, real_subtotal = orchestrator.admit_order, pricing.subtotal
    monkeypatch.setattr(orchestrator, "admit_order", lambda event: admitted.append(1) or real_admit(event))
    monkeypatch.setattr(pricing, "subtotal", lambda items: subtotals.append(1) or real_subtotal(items))

    result = run_order(SAMPLE_ORDER)

    assert result.status.name == "SUCCEEDED"
    assert result.get_wait("confirmation-delay") is not None
    # The handler body ran again after the durable wait (the pure subtotal was recomputed on replay) ...
    assert len(subtotals) >= 2
    # ... but the checkpointed validate-order step did not.
    assert len(admitted) == 1
    names = [operation.name for operation in result.operations]
    assert names == ["validate-order", "run-workers", "confirmation-delay", "finalize-order"]


def test_workers_run_as_named_chained_invokes_in_one_parallel_section(run_order):
    result = run_order(SAMPLE_ORDER)
    section = result.get_context("run-workers")
    assert [branch.name for branch in section.child_operations] == ["inventory", "payment", "shipping", "tax"]
    assert [branch.child_operations[0].name for branch in section.child_operations] == [
        "invoke-inventory",
        "invoke-payment",
        "invoke-shipping",
        "invoke-tax",
    ]
