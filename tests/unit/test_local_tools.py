"""The pure parts of the local environment's front and of the history timeline (no network)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from local.lambda_front import ENGINE_PATH, FUNCTION_REF, INVOKE_PATH, Refusal, json_payload
from scripts import workloads

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("reference", "name", "qualifier"),
    [
        ("local-order-processor", "local-order-processor", None),
        ("local-order-processor:live", "local-order-processor", "live"),
        ("local-order-processor:7", "local-order-processor", "7"),
        ("local-order-processor:$LATEST", "local-order-processor", "$LATEST"),
        ("arn:aws:lambda:us-east-1:000000000000:function:local-parallel-math:live", "local-parallel-math", "live"),
        ("000000000000:function:local-parallel-math", "local-parallel-math", None),
    ],
)
def test_function_references_in_every_form_invoke_accepts(reference, name, qualifier):
    match = FUNCTION_REF.match(reference)
    assert match is not None
    assert (match["name"], match["qualifier"]) == (name, qualifier)


def test_routes_the_lambda_service_splits():
    assert INVOKE_PATH.match("/2015-03-31/functions/fn%3Alive/invocations")
    assert not INVOKE_PATH.match("/2015-03-31/functions/fn/configuration")
    for engine_path in (
        "/2025-12-01/durable-executions/abc/history",
        "/2025-12-01/durable-executions/abc/checkpoint",
        "/2025-12-01/durable-execution-callbacks/cb/succeed",
        "/2025-12-01/functions/fn/durable-executions",
    ):
        assert ENGINE_PATH.match(engine_path), engine_path
    assert not ENGINE_PATH.match("/2015-03-31/functions/fn/aliases/live")


def test_an_invoke_payload_must_be_json():
    assert json_payload(b"") == "{}"
    assert json.loads(json_payload(b'{"num1": 1}')) == {"num1": 1}
    with pytest.raises(Refusal) as refused:
        json_payload(b"not json")
    assert refused.value.reply.status == 400
    assert refused.value.reply.headers["X-Amzn-ErrorType"] == "InvalidRequestContentException"


def event(kind: str, phase: str, op_id: str, name: str, seconds: float, *, parent: str | None = None, **extra):
    prefix = {"Step": "Step", "Wait": "Wait", "ChainedInvoke": "ChainedInvoke"}.get(kind, "Context")
    body = {"EventType": f"{prefix}{phase}", "SubType": kind, "Id": op_id, "Name": name}
    body["EventTimestamp"] = T0 + timedelta(seconds=seconds)
    if parent:
        body["ParentId"] = parent
    return {**body, **extra}


def test_the_timeline_folds_events_into_operations_in_start_order():
    events = [
        {"EventType": "ExecutionStarted", "Id": "x", "Name": "run", "EventTimestamp": T0},
        event("Step", "Started", "s1", "validate-order", 0.0),
        event("Step", "Failed", "s1", "validate-order", 0.1, StepFailedDetails={"RetryDetails": {"CurrentAttempt": 1}}),
        event("Step", "Started", "s1", "validate-order", 1.0),
        event(
            "Step",
            "Succeeded",
            "s1",
            "validate-order",
            1.5,
            StepSucceededDetails={"RetryDetails": {"CurrentAttempt": 2}},
        ),
        event("Parallel", "Started", "p", "run-workers", 2.0),
        event("ParallelBranch", "Started", "b", "tax", 2.0, parent="p"),
        event("ChainedInvoke", "Started", "i", "invoke-tax", 2.0, parent="b"),
        {"EventType": "InvocationCompleted", "EventTimestamp": T0},
        event("ChainedInvoke", "Succeeded", "i", "invoke-tax", 2.5, parent="b"),
        event("ParallelBranch", "Succeeded", "b", "tax", 2.6, parent="p"),
        event("Parallel", "Succeeded", "p", "run-workers", 2.7),
        event("Wait", "Started", "w", "confirmation-delay", 3.0),
    ]
    operations = workloads.timeline(events)

    assert [(op.name, op.depth, op.status) for op in operations] == [
        ("validate-order", 0, "SUCCEEDED"),
        ("run-workers", 0, "SUCCEEDED"),
        ("tax", 1, "SUCCEEDED"),
        ("invoke-tax", 2, "SUCCEEDED"),
        ("confirmation-delay", 0, "STARTED"),
    ]
    assert operations[0].attempts == 2
    assert operations[0].seconds == pytest.approx(1.5)
    assert operations[-1].seconds is None
    table = workloads.format_timeline(operations)
    assert "    invoke-tax" in table
