"""Durable data pipeline behind the SQS event source mapping (ReportBatchItemFailures on).

Every record of the batch runs in its own child context of one ``process-records`` map, at most
RECORD_CONCURRENCY at a time. The handler returns ``batchItemFailures`` naming exactly the records that did not
make it, so SQS deletes the rest and redelivers those; after maxReceiveCount receives SQS's redrive policy moves
a record to the DLQ. Records that can never succeed (bad JSON, failed validation) are logged with their stage and
reason under their messageId, so the DLQ message's reason is one Logs Insights query away (docs/workloads.md,
"Poison messages").
The whole execution must finish within the ESM limit of 900 s (Terraform validates the ExecutionTimeout).
"""

from typing import Any

from aws_durable_execution_sdk_python import BatchResult, DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import MapConfig

from common.durable import ALL_COMPLETED
from common.observability import observability
from common.settings import environment
from data_pipeline.records import Outcome, Settings, process_record

obs = observability("data-pipeline")
logger = obs.logger
SETTINGS = Settings.from_env()
ENVIRONMENT = environment()


def sqs_records(event: Any) -> list[dict[str, Any]]:
    """The SQS records of an ESM event; ValueError when the event is not one."""
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list) or not all(
        isinstance(r, dict) and isinstance(r.get("messageId"), str) and r["messageId"] for r in records
    ):
        msg = "event is not an SQS batch: expected Records, each with a messageId"
        raise ValueError(msg)
    return records


def _record_name(record: dict[str, Any], _index: int) -> str:
    return f"record-{record['messageId']}"


@durable_execution
def handler(event: Any, context: DurableContext) -> dict[str, Any]:
    context.set_logger(logger)
    try:
        records = sqs_records(event)
    except ValueError as error:
        context.logger.error("rejected event", extra={"reason": str(error)})
        return {"batchItemFailures": [], "error": {"name": "InvalidEvent", "message": str(error)}}

    batch: BatchResult[Outcome] = context.map(
        records,
        lambda child, record, _index, _all: process_record(child, record, SETTINGS, ENVIRONMENT),
        name="process-records",
        config=MapConfig(
            max_concurrency=SETTINGS.record_concurrency,
            completion_config=ALL_COMPLETED,
            item_namer=_record_name,
        ),
    )

    failed: list[str] = []
    counts = {"received": len(records), "stored": 0, "duplicate": 0, "rejected": 0, "errored": 0}
    for item in sorted(batch.all, key=lambda entry: entry.index):
        message_id = records[item.index]["messageId"]
        outcome = item.result
        if outcome is None:  # a worker failed: transient, SQS will redeliver
            counts["errored"] += 1
            failed.append(message_id)
            reason = item.error.message if item.error is not None else "did not complete"
            context.logger.warning("record failed", extra={"messageId": message_id, "reason": reason})
            continue
        counts[outcome["status"]] += 1
        if outcome["status"] == "rejected":
            failed.append(message_id)
            context.logger.warning(
                "record rejected: it will reach the DLQ after maxReceiveCount receives",
                extra={"messageId": message_id, "stage": outcome["stage"], "reason": outcome["reason"]},
            )

    if not context.is_replaying():
        obs.count("RecordsStored", counts["stored"])
        obs.count("RecordsFailed", len(failed))
    context.logger.info("batch processed", extra=counts)
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed], "summary": counts}
