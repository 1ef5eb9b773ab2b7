"""SQS data pipeline under AWS's durable testing runner, with the real workers and a moto processed-data table."""

import json
from decimal import Decimal
from typing import Any

import pytest

from data_pipeline import pipeline
from data_pipeline.workers import storage, transformer, validator
from tests.unit.support import DurableRun

WORKERS = {
    "VALIDATOR_FUNCTION": validator.handler,
    "TRANSFORMER_FUNCTION": transformer.handler,
    "STORAGE_FUNCTION": storage.handler,
}


def sqs_event(*bodies: tuple[str, str]) -> dict[str, Any]:
    """An ESM event with (messageId, body) records."""
    return {
        "Records": [
            {
                "messageId": message_id,
                "receiptHandle": f"handle-{message_id}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:test-data-processing-queue",
                "awsRegion": "us-east-1",
            }
            for message_id, body in bodies
        ]
    }


GOOD = json.dumps({"data_source": "test.csv", "processing_type": "standard", "rows": 12, "ratio": 0.25})


@pytest.fixture
def run_pipeline(processed_table):
    return DurableRun(pipeline.handler, WORKERS)


def test_good_record_is_validated_transformed_and_stored(run_pipeline, processed_table):
    response = run_pipeline.result(sqs_event(("m-1", GOOD)))

    assert response["batchItemFailures"] == []
    assert response["summary"]["stored"] == 1
    item = processed_table.get("test-esm-m-1")
    assert item["original_data"] == {
        "data_source": "test.csv",
        "processing_type": "standard",
        "rows": 12,
        "ratio": Decimal("0.25"),
    }
    transformed = item["transformed_data"]
    assert transformed["data_source"] == "TEST.CSV"
    assert transformed["processing_type"] == "standard"
    assert transformed["transformation_applied"] == "uppercase_data_source"
    assert transformed["execution_id"] == "test-esm-m-1"
    assert transformed["processed_at"].endswith("Z")
    assert item["stored_at"].endswith("Z")


def test_a_mixed_batch_reports_exactly_the_bad_records(run_pipeline, processed_table):
    event = sqs_event(
        ("good-1", GOOD),
        ("bad-json", "{not json"),
        ("good-2", json.dumps({"data_source": "b.csv", "processing_type": "fast"})),
        ("no-source", json.dumps({"processing_type": "standard"})),
        ("empty-type", json.dumps({"data_source": "x", "processing_type": "  "})),
        ("not-object", json.dumps(["data_source"])),
    )
    response = run_pipeline.result(event)

    failed = {failure["itemIdentifier"] for failure in response["batchItemFailures"]}
    assert failed == {"bad-json", "no-source", "empty-type", "not-object"}
    assert response["summary"] == {"received": 6, "stored": 2, "duplicate": 0, "rejected": 4, "errored": 0}
    assert sorted(processed_table.ids()) == ["test-esm-good-1", "test-esm-good-2"]


def test_duplicate_delivery_stores_one_item(run_pipeline, processed_table):
    first = run_pipeline.result(sqs_event(("m-dup", GOOD)))
    stored_at = processed_table.get("test-esm-m-dup")["stored_at"]
    again = run_pipeline.result(sqs_event(("m-dup", GOOD)))

    assert first["summary"]["stored"] == 1
    assert again["summary"]["duplicate"] == 1
    assert again["batchItemFailures"] == []
    assert processed_table.ids() == ["test-esm-m-dup"]
    assert processed_table.get("test-esm-m-dup")["stored_at"] == stored_at


def test_a_failing_worker_leaves_the_record_to_sqs_redelivery(processed_table):
    def throttled_storage(event: Any, context: Any) -> Any:
        raise RuntimeError("ProvisionedThroughputExceededException")

    run = DurableRun(pipeline.handler, {**WORKERS, "STORAGE_FUNCTION": throttled_storage})
    response = run.result(sqs_event(("m-1", GOOD), ("bad", "nope")))

    assert response["batchItemFailures"] == [{"itemIdentifier": "m-1"}, {"itemIdentifier": "bad"}]
    assert response["summary"]["errored"] == 1
    assert processed_table.ids() == []


@pytest.mark.parametrize("event", [None, {}, {"Records": "x"}, {"Records": [{"body": "{}"}]}, [1, 2]])
def test_an_event_that_is_not_an_sqs_batch_gets_a_structured_error(run_pipeline, event):
    response = run_pipeline.result(event)
    assert response["batchItemFailures"] == []
    assert response["error"]["name"] == "InvalidEvent"


def test_each_record_runs_in_a_named_child_context_with_named_invokes(run_pipeline):
    result = run_pipeline(sqs_event(("m-1", GOOD), ("m-2", "bad")))
    section = result.get_context("process-records")
    assert [record.name for record in section.child_operations] == ["record-m-1", "record-m-2"]
    assert [op.name for op in section.child_operations[0].child_operations] == ["validate", "transform", "store"]
    assert section.child_operations[1].child_operations == []


def test_records_of_a_batch_run_concurrently_within_the_configured_bound():
    assert pipeline.SETTINGS.record_concurrency == 3
