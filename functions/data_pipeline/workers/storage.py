"""Storage worker: one DynamoDB item per ``execution_id``, written at most once (conditional put).

A redelivered record finds its item already there and answers ``stored: false, duplicate: true`` instead of
overwriting it, so duplicate SQS delivery never stores a record twice.
"""

import json
from decimal import Decimal
from functools import cache
from typing import Any, TypedDict

import boto3
from botocore.exceptions import ClientError

from common.clock import now_iso
from common.faults import inject
from common.observability import observability, worker_handler
from common.payload import field, require_object
from common.settings import require_env

obs = observability("data-pipeline")


class StorageResult(TypedDict):
    stored: bool
    duplicate: bool
    execution_id: str


@cache
def _table() -> Any:
    return boto3.resource("dynamodb").Table(require_env("PROCESSED_DATA_TABLE_NAME"))


def as_item(value: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB takes Decimal, not float: round-trip through JSON with floats parsed as Decimal."""
    item: dict[str, Any] = json.loads(json.dumps(value), parse_float=Decimal)
    return item


def store(execution_id: str, original: dict[str, Any], transformed: dict[str, Any]) -> StorageResult:
    item = as_item(
        {
            "execution_id": execution_id,
            "original_data": original,
            "transformed_data": transformed,
            "stored_at": now_iso(),
        }
    )
    try:
        _table().put_item(Item=item, ConditionExpression="attribute_not_exists(execution_id)")
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        return {"stored": False, "duplicate": True, "execution_id": execution_id}
    return {"stored": True, "duplicate": False, "execution_id": execution_id}


@worker_handler(obs, correlation_id_path="execution_id")
def handler(event: Any, context: Any) -> StorageResult:
    inject("storage", event)  # local-only fault switch (FAULT_INJECTION); a no-op when unset
    payload = require_object(event)
    result = store(
        field(payload, "execution_id", str),
        field(payload, "original_data", dict),
        field(payload, "transformed_data", dict),
    )
    obs.logger.info("record stored" if result["stored"] else "duplicate record skipped", extra=dict(result))
    return result
