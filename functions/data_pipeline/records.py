"""One SQS record through the pipeline: parse, validate, transform, store, each worker a chained invoke."""

import json
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from aws_durable_execution_sdk_python import DurableContext

from common.settings import int_env, require_env

Status = Literal["stored", "duplicate", "rejected"]


@dataclass(frozen=True)
class Settings:
    """The worker Lambdas the pipeline chain-invokes, and how many records of a batch run at once."""

    validator_function: str
    transformer_function: str
    storage_function: str
    record_concurrency: int

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            validator_function=require_env("VALIDATOR_FUNCTION"),
            transformer_function=require_env("TRANSFORMER_FUNCTION"),
            storage_function=require_env("STORAGE_FUNCTION"),
            record_concurrency=int_env("RECORD_CONCURRENCY", default=5),
        )


class Outcome(TypedDict, total=False):
    messageId: str
    execution_id: str
    status: Status
    stage: str
    reason: str


def execution_id(environment: str, message_id: str) -> str:
    """The record's identity through the pipeline and the storage key (``{ENV}-esm-{messageId}``, docs/contracts.md)."""
    return f"{environment}-esm-{message_id}"


def parse_body(body: Any) -> dict[str, Any]:
    """The message body as a JSON object; ValueError with the reason otherwise."""
    if not isinstance(body, str):
        msg = "message body is missing"
        raise ValueError(msg)
    try:
        data = json.loads(body)
    except json.JSONDecodeError as error:
        msg = f"message body is not valid JSON: {error.msg} at position {error.pos}"
        raise ValueError(msg) from None
    if not isinstance(data, dict):
        msg = f"message body must be a JSON object, got {type(data).__name__}"
        raise ValueError(msg)
    return data


def process_record(context: DurableContext, record: dict[str, Any], settings: Settings, environment: str) -> Outcome:
    """Run one record; a record that can never succeed comes back as ``rejected`` with its stage and reason.

    A worker that fails (throttled, timed out, crashed) raises out of here: the record is then reported as a
    batch item failure and SQS redelivers it, up to the queue's maxReceiveCount, then the DLQ.
    """
    message_id = str(record.get("messageId", ""))
    run_id = execution_id(environment, message_id)
    base: Outcome = {"messageId": message_id, "execution_id": run_id}
    try:
        data = parse_body(record.get("body"))
    except ValueError as error:
        return {**base, "status": "rejected", "stage": "parse", "reason": str(error)}

    verdict: dict[str, Any] = context.invoke(
        settings.validator_function, {"execution_id": run_id, "data": data}, name="validate"
    )
    if not verdict.get("valid"):
        reason = "; ".join(verdict.get("errors") or ["rejected by the validator"])
        return {**base, "status": "rejected", "stage": "validate", "reason": reason}

    transformed: dict[str, Any] = context.invoke(
        settings.transformer_function, {"execution_id": run_id, "data": data}, name="transform"
    )
    stored: dict[str, Any] = context.invoke(
        settings.storage_function,
        {"execution_id": run_id, "original_data": data, "transformed_data": transformed},
        name="store",
    )
    return {**base, "status": "stored" if stored.get("stored") else "duplicate"}
