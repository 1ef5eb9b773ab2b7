"""The pure parts of the local environment's front and of the history timeline (no network)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from local.authorization import Authorizer, function_arn
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


EXECUTION = "arn:aws:lambda:us-east-1:000000000000:function:local-order-processor:3/durable-execution/order-1/id-9"


def authorizer() -> Authorizer:
    return Authorizer(
        "http://127.0.0.1:9",
        lambda arn: ("arn:aws:lambda:us-east-1:000000000000:function:local-order-processor:3", "order-1"),
        "us-east-1",
    )


@pytest.mark.parametrize(
    ("method", "path", "action"),
    [
        ("POST", "/2025-12-01/durable-executions/x%2Fid-9/checkpoint", "lambda:CheckpointDurableExecution"),
        ("GET", "/2025-12-01/durable-executions/x%2Fid-9/state", "lambda:GetDurableExecutionState"),
        ("GET", "/2025-12-01/durable-executions/x%2Fid-9", "lambda:GetDurableExecution"),
        ("GET", "/2025-12-01/durable-executions/x%2Fid-9/history", "lambda:GetDurableExecutionHistory"),
        ("POST", "/2025-12-01/durable-executions/x%2Fid-9/stop", "lambda:StopDurableExecution"),
    ],
)
def test_an_execution_api_is_checked_on_the_executions_own_arn(method, path, action):
    assert authorizer().checks(method, path, {}, b"", "000000000000") == [(action, EXECUTION)]


def test_a_checkpoint_starting_chained_invokes_is_also_an_invoke_of_each_target_as_named():
    updates = [
        {"Id": "1", "Type": "CHAINED_INVOKE", "Action": "START", "ChainedInvokeOptions": {"FunctionName": "w"}},
        {"Id": "2", "Type": "CHAINED_INVOKE", "Action": "START", "ChainedInvokeOptions": {"FunctionName": "w:$LATEST"}},
        {"Id": "3", "Type": "STEP", "Action": "START"},
        {"Id": "4", "Type": "CHAINED_INVOKE", "Action": "SUCCEED"},
    ]
    body = json.dumps({"CheckpointToken": "t", "Updates": updates}).encode()
    checks = authorizer().checks("POST", "/2025-12-01/durable-executions/x%2Fid-9/checkpoint", {}, body, "000000000000")
    assert checks == [
        ("lambda:CheckpointDurableExecution", EXECUTION),
        ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:000000000000:function:w"),
        ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:000000000000:function:w:$LATEST"),
    ]


def test_listing_executions_is_checked_on_the_function_and_qualifier():
    checks = authorizer().checks(
        "GET", "/2025-12-01/functions/fn/durable-executions", {"Qualifier": ["live"]}, b"", "1"
    )
    assert checks == [("lambda:ListDurableExecutionsByFunction", "arn:aws:lambda:us-east-1:1:function:fn:live")]
    assert authorizer().checks("POST", "/2025-12-01/durable-executions/x/unknown", {}, b"", "1") == []


@pytest.mark.parametrize(
    ("reference", "arn"),
    [
        ("fn", "arn:aws:lambda:us-east-1:1:function:fn"),
        ("fn:7", "arn:aws:lambda:us-east-1:1:function:fn:7"),
        ("2:function:fn:live", "arn:aws:lambda:us-east-1:2:function:fn:live"),
        ("arn:aws:lambda:eu-west-1:3:function:fn", "arn:aws:lambda:eu-west-1:3:function:fn"),
    ],
)
def test_a_function_is_checked_as_the_caller_named_it(reference, arn):
    assert function_arn("us-east-1", "1", reference) == arn
