"""Order arithmetic: subtotal and totals, in Decimal rounded half-up to cents."""

from decimal import Decimal
from typing import TypedDict

from common.money import as_number, cents
from order_processing.validation import OrderItem

CURRENCY = "USD"


class Totals(TypedDict):
    subtotal: float
    shipping: float
    tax: float
    total: float
    currency: str


def subtotal(items: list[OrderItem]) -> Decimal:
    """Sum of price x quantity over the order's items."""
    return cents(sum((Decimal(item["price"]) * item["quantity"] for item in items), Decimal(0)))


def totals(order_subtotal: Decimal, shipping: Decimal, tax: Decimal) -> Totals:
    """The order's totals block; each part is already in cents, so the total is exact."""
    total = cents(order_subtotal) + cents(shipping) + cents(tax)
    return {
        "subtotal": as_number(cents(order_subtotal)),
        "shipping": as_number(cents(shipping)),
        "tax": as_number(cents(tax)),
        "total": as_number(total),
        "currency": CURRENCY,
    }
