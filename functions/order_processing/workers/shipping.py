"""Shipping worker: cost, carrier and delivery estimate from the units ordered and the destination state."""

from decimal import Decimal
from typing import Any, TypedDict

from common.faults import inject
from common.money import as_number, cents
from common.observability import observability, worker_handler
from common.payload import field, require_object

WEIGHT_PER_UNIT_LB = Decimal("3.0")
BASE_COST = Decimal("5.99")
COST_PER_LB = Decimal("0.75")
FEDEX_ABOVE_LB = Decimal(10)
DEFAULT_DELIVERY_DAYS = 5
DELIVERY_DAYS = {
    **dict.fromkeys(("CA", "OR", "WA", "NV"), 2),
    **dict.fromkeys(("AZ", "TX", "IL"), 3),
    **dict.fromkeys(("NY", "NJ", "PA", "MA", "FL"), 4),
}

obs = observability("order-processing")


class ShippingQuote(TypedDict):
    cost: float
    estimatedDays: int
    carrier: str


def quote(units: int, state: str) -> ShippingQuote:
    """3.0 lb per unit; 5.99 + 0.75 per lb; FedEx above 10 lb, else USPS; days by destination state."""
    weight = WEIGHT_PER_UNIT_LB * units
    return {
        "cost": as_number(cents(BASE_COST + COST_PER_LB * weight)),
        "estimatedDays": DELIVERY_DAYS.get(state.upper(), DEFAULT_DELIVERY_DAYS),
        "carrier": "FedEx" if weight > FEDEX_ABOVE_LB else "USPS",
    }


@worker_handler(obs, correlation_id_path="orderId")
def handler(event: Any, context: Any) -> ShippingQuote:
    inject("shipping", event)  # local-only fault switch (FAULT_INJECTION); a no-op when unset
    payload = require_object(event)
    items = field(payload, "items", list)
    units = sum(field(require_object(item), "quantity", int) for item in items)
    result = quote(units, field(payload, "state", str))
    obs.logger.info("shipping quoted", extra={"units": units, **result})
    return result
