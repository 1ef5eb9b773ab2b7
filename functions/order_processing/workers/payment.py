"""Payment worker: validates the method and amount and returns an authorization stable per order."""

from decimal import Decimal
from typing import Any, TypedDict

from common.faults import inject
from common.money import to_decimal
from common.observability import observability, worker_handler
from common.payload import field, require_object
from common.settings import decimal_env
from order_processing.workers import stable_id

SUPPORTED_METHODS = ("credit_card", "debit_card", "paypal")
DEFAULT_METHOD = "credit_card"
AMOUNT_LIMIT = decimal_env("PAYMENT_AMOUNT_LIMIT", "10000.00")

obs = observability("order-processing")


class PaymentDecision(TypedDict, total=False):
    valid: bool
    authorizationCode: str
    reason: str


def authorize(order_id: str, amount: Decimal, method: str | None, limit: Decimal = AMOUNT_LIMIT) -> PaymentDecision:
    """Approve when the method is supported and 0 < amount <= limit; say why otherwise."""
    method = method or DEFAULT_METHOD
    if method not in SUPPORTED_METHODS:
        return {"valid": False, "reason": f"payment method {method!r} is not supported"}
    if amount <= 0:
        return {"valid": False, "reason": "payment amount must be greater than 0"}
    if amount > limit:
        return {"valid": False, "reason": f"payment amount {amount} exceeds the limit of {limit}"}
    return {"valid": True, "authorizationCode": stable_id("AUTH", order_id)}


@worker_handler(obs, correlation_id_path="orderId")
def handler(event: Any, context: Any) -> PaymentDecision:
    inject("payment", event)  # local-only fault switch (FAULT_INJECTION); a no-op when unset
    payload = require_object(event)
    method = payload.get("paymentMethod")
    decision = authorize(
        field(payload, "orderId", str),
        to_decimal(field(payload, "amount", str)),
        method if isinstance(method, str) else None,
    )
    obs.logger.info("payment decided", extra={"valid": decision["valid"], "reason": decision.get("reason")})
    return decision
