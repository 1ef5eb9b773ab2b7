"""The business rules as pure functions, and the inventory worker's idempotency against moto DynamoDB."""

from collections import Counter
from decimal import Decimal

import pytest

from common.money import cents, to_decimal
from common.settings import ConfigurationError, decimal_env, int_env, require_env
from order_processing import pricing
from order_processing.workers import inventory, payment, shipping, tax
from tests.unit.support import LambdaContext


@pytest.mark.parametrize(
    ("units", "state", "expected"),
    [
        (3, "CA", {"cost": 12.74, "estimatedDays": 2, "carrier": "USPS"}),
        (1, "NY", {"cost": 8.24, "estimatedDays": 4, "carrier": "USPS"}),
        (10, "TX", {"cost": 28.49, "estimatedDays": 3, "carrier": "FedEx"}),
        (4, "WY", {"cost": 14.99, "estimatedDays": 5, "carrier": "FedEx"}),
    ],
)
def test_shipping_quote(units, state, expected):
    assert shipping.quote(units, state) == expected


def test_shipping_switches_to_fedex_only_above_ten_pounds():
    assert shipping.quote(3, "CA")["carrier"] == "USPS"  # 9 lb
    assert shipping.quote(4, "CA")["carrier"] == "FedEx"  # 12 lb


@pytest.mark.parametrize(
    ("subtotal", "state", "expected"),
    [
        ("109.97", "CA", {"amount": 7.97, "rate": 0.0725, "jurisdiction": "CA State Tax"}),
        ("100.00", "ny", {"amount": 4.0, "rate": 0.04, "jurisdiction": "NY State Tax"}),
        ("339.90", "TX", {"amount": 21.24, "rate": 0.0625, "jurisdiction": "TX State Tax"}),
        ("100.00", "OR", {"amount": 5.0, "rate": 0.05, "jurisdiction": "OR State Tax (Default Rate)"}),
    ],
)
def test_tax_assessment(subtotal, state, expected):
    assert tax.assess(Decimal(subtotal), state) == expected


def test_every_contract_state_rate_is_in_the_table():
    assert len(tax.STATE_RATES) == 20
    assert tax.STATE_RATES["NJ"] == Decimal("0.0663")


@pytest.mark.parametrize(
    ("amount", "method", "valid"),
    [
        ("109.97", "credit_card", True),
        ("109.97", "debit_card", True),
        ("109.97", "paypal", True),
        ("109.97", None, True),
        ("109.97", "bitcoin", False),
        ("0", "credit_card", False),
        ("10000.00", "credit_card", True),
        ("10000.01", "credit_card", False),
    ],
)
def test_payment_rules(amount, method, valid):
    decision = payment.authorize("ORD-1", Decimal(amount), method)
    assert decision["valid"] is valid
    assert ("reason" in decision) is not valid


def test_authorization_code_is_stable_per_order():
    first = payment.authorize("ORD-1", Decimal(5), None)["authorizationCode"]
    assert first == payment.authorize("ORD-1", Decimal(7), "paypal")["authorizationCode"]
    assert first != payment.authorize("ORD-2", Decimal(5), None)["authorizationCode"]
    assert first.startswith("AUTH-")


def test_money_rounds_half_up_to_cents():
    assert cents(Decimal("0.125")) == Decimal("0.13")
    assert cents(Decimal("7.9728")) == Decimal("7.97")
    assert pricing.subtotal([{"productId": "P", "quantity": 3, "price": "0.1"}]) == Decimal("0.30")
    with pytest.raises(ValueError, match="not a number"):
        to_decimal(True)
    with pytest.raises(ValueError, match="finite"):
        to_decimal(float("nan"))


def test_reserving_twice_for_one_order_reserves_once(inventory_table):
    wanted = Counter({"PROD-001": 2, "PROD-002": 1})
    first = inventory.reserve("ORD-9", wanted)
    again = inventory.reserve("ORD-9", wanted)

    assert first == again == {"available": True, "reservationId": first["reservationId"]}
    assert inventory_table.all() == {"PROD-001": 998, "PROD-002": 999, "PROD-003": 1000}


def test_reservation_is_all_or_nothing(inventory_table):
    inventory_table.set("PROD-003", 1)
    result = inventory.reserve("ORD-9", Counter({"PROD-001": 5, "PROD-003": 2}))

    assert result["available"] is False
    assert "PROD-003" in result["reason"]
    assert inventory_table.all() == {"PROD-001": 1000, "PROD-002": 1000, "PROD-003": 1}


def test_release_returns_stock_once(inventory_table):
    inventory.reserve("ORD-9", Counter({"PROD-001": 4}))
    assert inventory.release("ORD-9")["released"] is True
    assert inventory.release("ORD-9")["released"] is False
    assert inventory.release("ORD-NEVER")["released"] is False
    assert inventory_table.get("PROD-001") == 1000


def test_inventory_rejects_a_malformed_payload(inventory_table):
    with pytest.raises(ValueError, match="'action' must be"):
        inventory.handler({"orderId": "O", "action": "steal"}, LambdaContext())
    with pytest.raises(ValueError, match="'items' must be a list"):
        inventory.handler({"orderId": "O"}, LambdaContext())


def test_settings_name_the_missing_or_bad_variable(monkeypatch):
    monkeypatch.delenv("SOME_FUNCTION", raising=False)
    with pytest.raises(ConfigurationError, match="SOME_FUNCTION is required"):
        require_env("SOME_FUNCTION")
    monkeypatch.setenv("RECORD_CONCURRENCY", "0")
    with pytest.raises(ConfigurationError, match="RECORD_CONCURRENCY must be an integer >= 1"):
        int_env("RECORD_CONCURRENCY", 5)
    monkeypatch.setenv("PAYMENT_AMOUNT_LIMIT", "-3")
    with pytest.raises(ConfigurationError, match="PAYMENT_AMOUNT_LIMIT must be a positive number"):
        decimal_env("PAYMENT_AMOUNT_LIMIT", "10000.00")
