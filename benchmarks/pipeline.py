"""Data pipeline: a 5-record batch against a 1-record batch, and durable operations per record.

The real pipeline handler runs under the testing runner with RECORD_CONCURRENCY=5. The validator and transformer
stand-ins answer at once with the real rules (validator.problems, transformer.transform); the storage stand-in
is the known per-record cost: it sleeps STORE_LATENCY_S and answers stored (no DynamoDB).
"""

import json
from dataclasses import dataclass
from typing import Any

from benchmarks import durable, env

pipeline = env.load("data_pipeline.pipeline")
validator = env.load("data_pipeline.workers.validator")
transformer = env.load("data_pipeline.workers.transformer")

STORE_LATENCY_S = 0.100
BATCH = 5
PROCESSED_AT = "2026-01-01T00:00:00Z"


def _validate(event: Any) -> dict[str, Any]:
    errors = validator.problems(event["data"])
    return {"valid": not errors, "errors": errors, "execution_id": event["execution_id"]}


def _transform(event: Any) -> Any:
    return transformer.transform(event["data"], event["execution_id"], PROCESSED_AT)


def _store(event: Any) -> dict[str, Any]:
    return {"stored": True, "duplicate": False, "execution_id": event["execution_id"]}


def workers(spans: durable.Spans) -> dict[str, durable.Worker]:
    return {
        "VALIDATOR_FUNCTION": durable.timed("validate", 0.0, _validate, spans),
        "TRANSFORMER_FUNCTION": durable.timed("transform", 0.0, _transform, spans),
        "STORAGE_FUNCTION": durable.timed("store", STORE_LATENCY_S, _store, spans),
    }


def sqs_event(records: int, tag: str) -> dict[str, Any]:
    body = json.dumps({"data_source": "bench", "processing_type": "batch", "value": 1})
    return {
        "Records": [{"messageId": f"{tag}-{index}", "body": body, "eventSource": "aws:sqs"} for index in range(records)]
    }


@dataclass
class BatchRun:
    records: int
    section_s: float  # process-records: map context start to end, from the checkpointed timestamps
    operations: int
    kinds: dict[str, int]
    runner_retries: int


def run_once(records: int, tag: str) -> BatchRun:
    if pipeline.SETTINGS.record_concurrency != env.RECORD_CONCURRENCY:
        msg = f"pipeline imported with RECORD_CONCURRENCY={pipeline.SETTINGS.record_concurrency}"
        raise RuntimeError(msg)
    spans = durable.Spans()
    with durable.retries_counted() as retries:
        result = durable.run(pipeline.handler, workers(spans), sqs_event(records, tag))
    summary = json.loads(result.result or "null")["summary"]
    if summary["stored"] != records:
        msg = f"the benchmark batch was not stored: {summary}"
        raise RuntimeError(msg)
    return BatchRun(
        records=records,
        section_s=durable.section_seconds(result, "process-records"),
        operations=durable.op_count(result),
        kinds=durable.op_kinds(result),
        runner_retries=retries[0],
    )
