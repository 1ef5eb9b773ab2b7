"""Inventory worker: reserves every item of an order atomically, or releases the order's reservation.

Table layout (hash key ``pk``): ``PRODUCT#<productId>`` rows hold ``stock``; ``RESERVATION#<orderId>`` rows record
what an order holds. A reservation is one DynamoDB transaction: the reservation row is put only if absent and
every product's stock is decremented only if enough is left, so it is all-or-nothing and a retried reserve for
the same order reserves nothing twice. Release puts the stock back once and marks the row RELEASED.
"""

import json
import random
import time
from collections import Counter
from functools import cache
from typing import Any, TypedDict

import boto3
from botocore.exceptions import ClientError

from common.faults import inject
from common.observability import observability, worker_handler
from common.payload import PayloadError, field, require_object
from common.settings import require_env
from order_processing.workers import stable_id

RESERVED = "RESERVED"
RELEASED = "RELEASED"
MAX_PRODUCTS = 99  # a DynamoDB transaction holds 100 actions: one reservation row plus the products
# A transaction cancelled only because another one touched the same items (TransactionConflict) says nothing about
# stock: it is tried again, up to CONFLICT_ATTEMPTS times with full-jitter backoff, then the worker fails (and the
# orchestrator's retry of the invoke takes over) instead of answering "out of stock".
CONFLICT_ATTEMPTS = 6
CONFLICT_BASE_DELAY_S = 0.02
CONFLICT_CODES = frozenset({"TransactionConflict"})

obs = observability("order-processing")


class InventoryResult(TypedDict, total=False):
    available: bool
    reservationId: str
    reason: str
    released: bool


@cache
def _client() -> Any:
    return boto3.client("dynamodb")


@cache
def _table() -> str:
    return require_env("INVENTORY_TABLE_NAME")


def product_key(product_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"PRODUCT#{product_id}"}}


def reservation_key(order_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"RESERVATION#{order_id}"}}


def _quantities(items: list[Any]) -> Counter[str]:
    wanted: Counter[str] = Counter()
    for raw in items:
        item = require_object(raw)
        quantity = field(item, "quantity", int)
        if quantity < 1:
            msg = f"quantity must be positive, got {quantity}"
            raise PayloadError(msg)
        wanted[field(item, "productId", str)] += quantity
    if not wanted or len(wanted) > MAX_PRODUCTS:
        msg = f"an order reserves 1 to {MAX_PRODUCTS} distinct products, got {len(wanted)}"
        raise PayloadError(msg)
    return wanted


def _reservation(order_id: str) -> dict[str, Any] | None:
    found = _client().get_item(TableName=_table(), Key=reservation_key(order_id), ConsistentRead=True)
    item: dict[str, Any] | None = found.get("Item")
    return item


def _cancellation_codes(error: ClientError) -> list[str]:
    reasons = error.response.get("CancellationReasons", [])
    return [str(reason.get("Code", "None")) for reason in reasons]


def _is_conflict(error: ClientError) -> bool:
    """Cancelled by a concurrent transaction only: no condition of ours failed, so a retry can succeed."""
    code = error.response["Error"]["Code"]
    if code == "TransactionInProgressException":
        return True
    if code != "TransactionCanceledException":
        return False
    codes = set(_cancellation_codes(error))
    return bool(codes & CONFLICT_CODES) and "ConditionalCheckFailed" not in codes


def _transact(actions: list[dict[str, Any]]) -> None:
    """transact_write_items, retrying (bounded, jittered) a cancellation caused only by a transaction conflict."""
    for attempt in range(CONFLICT_ATTEMPTS):
        try:
            _client().transact_write_items(TransactItems=actions)
        except ClientError as error:
            if not _is_conflict(error) or attempt == CONFLICT_ATTEMPTS - 1:
                raise
            obs.logger.info("transaction conflict, retrying", extra={"attempt": attempt + 1})
            time.sleep(random.uniform(0, CONFLICT_BASE_DELAY_S * 2**attempt))  # noqa: S311 - jitter, not crypto
        else:
            return


def reserve(order_id: str, wanted: Counter[str]) -> InventoryResult:
    reservation_id = stable_id("RES", order_id)
    actions: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": _table(),
                "Item": {
                    **reservation_key(order_id),
                    "reservationId": {"S": reservation_id},
                    "status": {"S": RESERVED},
                    "items": {"S": json.dumps(dict(sorted(wanted.items())))},
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
    ]
    actions += [
        {
            "Update": {
                "TableName": _table(),
                "Key": product_key(product_id),
                "UpdateExpression": "SET stock = stock - :quantity",
                "ConditionExpression": "attribute_exists(pk) AND stock >= :quantity",
                "ExpressionAttributeValues": {":quantity": {"N": str(quantity)}},
            }
        }
        for product_id, quantity in sorted(wanted.items())
    ]
    try:
        _transact(actions)
    except ClientError as error:
        if error.response["Error"]["Code"] != "TransactionCanceledException" or _is_conflict(error):
            raise
        codes = _cancellation_codes(error)
        if codes and codes[0] == "ConditionalCheckFailed":
            return _existing_reservation(order_id)
        short = [pid for pid, code in zip(sorted(wanted), codes[1:], strict=False) if code == "ConditionalCheckFailed"]
        if not short:  # cancelled for another reason than stock: not an answer about availability
            raise
        return {"available": False, "reason": f"insufficient stock or unknown product: {', '.join(short)}"}
    obs.metrics.add_metric(name="StockReserved", unit="Count", value=sum(wanted.values()))
    return {"available": True, "reservationId": reservation_id}


def _existing_reservation(order_id: str) -> InventoryResult:
    """A retried reserve: answer with the reservation already made (or say it was released)."""
    existing = _reservation(order_id)
    if existing is None:  # released and deleted concurrently: nothing is held
        return {"available": False, "reason": "reservation changed concurrently; retry"}
    if existing["status"]["S"] == RELEASED:
        return {"available": False, "reason": f"the reservation of order {order_id} was already released"}
    return {"available": True, "reservationId": existing["reservationId"]["S"]}


def release(order_id: str) -> InventoryResult:
    existing = _reservation(order_id)
    if existing is None or existing["status"]["S"] == RELEASED:
        return {"released": False, "reason": "nothing reserved for this order"}
    held: dict[str, int] = json.loads(existing["items"]["S"])
    actions: list[dict[str, Any]] = [
        {
            "Update": {
                "TableName": _table(),
                "Key": reservation_key(order_id),
                "UpdateExpression": "SET #status = :released",
                "ConditionExpression": "#status = :reserved",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {":released": {"S": RELEASED}, ":reserved": {"S": RESERVED}},
            }
        }
    ]
    actions += [
        {
            "Update": {
                "TableName": _table(),
                "Key": product_key(product_id),
                "UpdateExpression": "SET stock = stock + :quantity",
                "ExpressionAttributeValues": {":quantity": {"N": str(quantity)}},
            }
        }
        for product_id, quantity in sorted(held.items())
    ]
    try:
        _transact(actions)
    except ClientError as error:
        if error.response["Error"]["Code"] != "TransactionCanceledException" or _is_conflict(error):
            raise
        return {"released": False, "reason": "released concurrently by another call"}
    return {"released": True, "reservationId": existing["reservationId"]["S"]}


@worker_handler(obs, correlation_id_path="orderId")
def handler(event: Any, context: Any) -> InventoryResult:
    inject("inventory", event)  # local-only fault switch (FAULT_INJECTION); a no-op when unset
    payload = require_object(event)
    order_id = field(payload, "orderId", str)
    action = payload.get("action", "reserve")
    if action == "reserve":
        result = reserve(order_id, _quantities(field(payload, "items", list)))
    elif action == "release":
        result = release(order_id)
    else:
        msg = f"payload field 'action' must be 'reserve' or 'release', got {action!r}"
        raise PayloadError(msg)
    obs.logger.info("inventory %s", action, extra=dict(result))
    return result
