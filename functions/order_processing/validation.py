"""The order input contract: the ValidationError rows of contracts.md, checked in their documented order."""

from typing import Any, TypedDict

from common.money import to_decimal

MAX_LINE_ITEMS = 50
MAX_QUANTITY = 10_000


class OrderItem(TypedDict):
    productId: str
    quantity: int
    price: str  # decimal string: checkpoints and worker payloads stay exact


class Customer(TypedDict):
    id: str
    state: str
    zipCode: str | None
    paymentMethod: str | None


class Order(TypedDict):
    orderId: str
    items: list[OrderItem]
    customer: Customer


class OrderValidationError(ValueError):
    """An order that breaks the input contract; ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"name": "ValidationError", "message": self.message, "field": self.field}


def _non_empty_string(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _optional_string(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise OrderValidationError(field, f"{field} must be a string")
    return value


def _item(index: int, raw: Any) -> OrderItem:
    where = f"items[{index}]"
    if not isinstance(raw, dict):
        raise OrderValidationError("items", f"{where} must be an object")
    if not _non_empty_string(raw.get("productId")):
        raise OrderValidationError("items", f"{where}.productId is required")
    quantity = raw.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise OrderValidationError("items", f"{where}.quantity must be an integer from 1 to {MAX_QUANTITY}")
    try:
        price = to_decimal(raw.get("price"))
    except ValueError:
        raise OrderValidationError("items", f"{where}.price must be a number") from None
    if price < 0:
        raise OrderValidationError("items", f"{where}.price must not be negative")
    return {"productId": raw["productId"].strip(), "quantity": quantity, "price": str(price)}


def validate_order(event: Any) -> Order:
    """Return the normalised order or raise OrderValidationError for the first broken rule."""
    if event is None:
        raise OrderValidationError("event", "Event object is null or undefined")
    if not isinstance(event, dict):
        raise OrderValidationError("event", "Event must be a JSON object")
    if not _non_empty_string(event.get("orderId")):
        raise OrderValidationError("orderId", "orderId is required")
    raw_items = event.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise OrderValidationError("items", "items array is required and must not be empty")
    if len(raw_items) > MAX_LINE_ITEMS:
        raise OrderValidationError("items", f"items must hold at most {MAX_LINE_ITEMS} entries")
    items = [_item(index, raw) for index, raw in enumerate(raw_items)]
    customer = event.get("customer")
    if not isinstance(customer, dict) or not _non_empty_string(customer.get("id")):
        raise OrderValidationError("customer.id", "customer.id is required")
    address = customer.get("address")
    state = address.get("state") if isinstance(address, dict) else None
    if not _non_empty_string(state):
        raise OrderValidationError("customer.address.state", "customer.address.state is required for tax calculation")
    zip_code = _optional_string(address.get("zipCode"), "customer.address.zipCode") if address else None
    return {
        "orderId": event["orderId"].strip(),
        "items": items,
        "customer": {
            "id": customer["id"].strip(),
            "state": str(state).strip().upper(),
            "zipCode": zip_code,
            "paymentMethod": _optional_string(customer.get("paymentMethod"), "customer.paymentMethod"),
        },
    }
