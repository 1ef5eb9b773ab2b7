"""ops/: the timeline's layout, the log lines' reading, retry names and the redrive loop (SQS on moto)."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws
from ops import logs, steering
from ops.console import timeline

START = datetime(2026, 1, 1, tzinfo=UTC)


def event(kind: str, op: str, name: str, at: float, parent: str | None = None, **details: Any) -> dict[str, Any]:
    sub = next((k for k in ("Step", "Wait", "ChainedInvoke") if kind.startswith(k)), None)
    entry: dict[str, Any] = {"EventType": kind, "Id": op, "Name": name, "EventTimestamp": START + timedelta(seconds=at)}
    entry["SubType"] = details.pop("sub", sub)
    if parent:
        entry["ParentId"] = parent
    if details:
        entry[f"{kind}Details"] = details
    return entry


def an_order_history() -> list[dict[str, Any]]:
    """validate, a parallel of two branches (one invoke failing once and retried after a wait), a wait, finalize."""
    failure = {"Error": {"Payload": {"ErrorType": "InjectedFault", "ErrorMessage": "boom"}}}
    return [
        event("StepStarted", "v", "validate-order", 0.0),
        event("StepSucceeded", "v", "validate-order", 0.5),
        event("ContextStarted", "p", "run-workers", 1.0, sub="Parallel"),
        event("ContextStarted", "a", "payment", 1.0, "p", sub="ParallelBranch"),
        event("ChainedInvokeStarted", "ai", "invoke-payment", 1.0, "a", FunctionName="arn:aws:lambda:r:1:function:p:3"),
        event("ChainedInvokeFailed", "ai", "invoke-payment", 2.0, "a", **failure),
        event("WaitStarted", "aw", "retry-wait-payment-1", 2.0, "a"),
        event("WaitSucceeded", "aw", "retry-wait-payment-1", 3.0, "a"),
        event("ChainedInvokeStarted", "ar", "invoke-payment-retry-1", 3.0, "a"),
        event("ChainedInvokeSucceeded", "ar", "invoke-payment-retry-1", 5.0, "a"),
        event("ContextSucceeded", "a", "payment", 5.0, "p", sub="ParallelBranch"),
        event("ContextStarted", "b", "tax", 1.0, "p", sub="ParallelBranch"),
        event("ChainedInvokeStarted", "bi", "invoke-tax", 1.0, "b", FunctionName="arn:aws:lambda:r:1:function:t:4"),
        event("ChainedInvokeSucceeded", "bi", "invoke-tax", 3.0, "b"),
        event("ContextSucceeded", "b", "tax", 3.0, "p", sub="ParallelBranch"),
        event("ContextSucceeded", "p", "run-workers", 5.0, sub="Parallel"),
        event("WaitStarted", "w", "confirmation-delay", 5.0),
        event("WaitSucceeded", "w", "confirmation-delay", 6.0),
        event("StepStarted", "f", "finalize-order", 6.0),
        event("StepStarted", "f", "finalize-order", 7.0),  # a second attempt: the first failed
        event("StepSucceeded", "f", "finalize-order", 8.0),
    ]


def test_timeline_gives_each_branch_a_lane_and_draws_at_one_scale():
    drawn = timeline.layout(an_order_history(), START, START + timedelta(seconds=10))

    assert [(lane.title, lane.parent) for lane in drawn.lanes] == [
        ("validate-order", None),
        ("run-workers", None),
        ("payment", "run-workers"),
        ("tax", "run-workers"),
        ("confirmation-delay", None),
        ("finalize-order", None),
    ]
    payment = drawn.lanes[2]
    assert [bar.name for bar in payment.bars] == [
        "payment",
        "invoke-payment",
        "retry-wait-payment-1",
        "invoke-payment-retry-1",
    ]
    bars = {bar.name: bar for bar in drawn.bars}
    assert bars["invoke-payment"].error == "InjectedFault: boom"
    assert bars["invoke-payment"].target == "p:3"
    assert bars["retry-wait-payment-1"].is_wait
    assert [(a.status, a.end - a.start) for a in bars["finalize-order"].attempts] == [
        ("FAILED", 1.0),
        ("SUCCEEDED", 1.0),
    ]
    assert drawn.scale == pytest.approx(timeline.PLOT_WIDTH / 10)
    for bar in drawn.bars:
        for x, width, attempt in bar.shapes:
            assert x == pytest.approx(timeline.LABEL_WIDTH + attempt.start * drawn.scale)
            assert width == pytest.approx(max(timeline.MIN_BAR, (attempt.end - attempt.start) * drawn.scale))


def test_timeline_of_a_running_execution_runs_open_operations_up_to_now():
    history = [*an_order_history()[:6], event("ChainedInvokeStarted", "bi", "invoke-tax", 1.0, "b")]
    history.insert(6, event("ContextStarted", "b", "tax", 1.0, "p", sub="ParallelBranch"))
    drawn = timeline.layout(history, START, START + timedelta(seconds=4))

    tax = next(bar for bar in drawn.bars if bar.name == "invoke-tax")
    assert tax.status == "STARTED"
    assert (tax.start, tax.end) == (1.0, 4.0)


def test_log_lines_show_level_message_and_a_workers_error():
    line = logs.LogLine(
        START,
        "local-inventory-worker",
        json.dumps(
            {
                "level": "ERROR",
                "message": "worker failed",
                "exception_name": "InjectedFault",
                "exception": "Traceback …\ncommon.faults.InjectedFault: injected permanent fault",
            }
        ),
    )
    plain = logs.LogLine(START + timedelta(seconds=1), "local-order-processor", "START RequestId: 1 Version: 2\n")

    error, start = logs.format_lines([line, plain], "local-").splitlines()
    assert error == (
        "00:00:00.000  inventory-worker  ERROR    worker failed | common.faults.InjectedFault: injected permanent fault"
    )
    assert start.split() == ["00:00:01.000", "order-processor", "START", "RequestId:", "1", "Version:", "2"]


def test_lines_are_ordered_by_the_time_they_were_written():
    written = "2026-01-01 00:00:02,250+0000"
    event_ = {
        "timestamp": int((START + timedelta(seconds=9)).timestamp() * 1000),
        "message": json.dumps({"timestamp": written}),
    }
    assert logs._written_at(event_) == START + timedelta(seconds=2.25)
    assert logs._written_at({**event_, "message": "plain"}) == START + timedelta(seconds=9)


def test_functions_touched_are_the_execution_and_its_invoke_targets():
    execution = {"FunctionArn": "arn:aws:lambda:r:1:function:local-order-processor:2"}
    assert logs.functions_touched(execution, an_order_history()) == ["local-order-processor", "p", "t"]


def test_retry_names_stay_within_the_limit_and_are_stable():
    assert steering.retry_name("order-1") == "order-1-retry"
    long = "x" * 64
    assert len(steering.retry_name(long)) == 64
    assert steering.retry_name(long) == steering.retry_name(long) != steering.retry_name("y" + long[1:])


@pytest.fixture
def queues(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    with mock_aws():
        sqs = boto3.client("sqs")
        dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})
        source = sqs.create_queue(QueueName="source", Attributes={"RedrivePolicy": policy})["QueueUrl"]
        other = sqs.create_queue(QueueName="other")["QueueUrl"]
        yield sqs, dlq, source, other


def test_the_redrive_loop_moves_every_message_to_the_source_queue_once(queues):
    sqs, dlq, source, _ = queues
    for n in range(23):
        attributes = {"attempt": {"DataType": "Number", "StringValue": str(n)}}
        sqs.send_message(QueueUrl=dlq, MessageBody=f"record-{n}", MessageAttributes=attributes)

    # moto has no StartMessageMoveTask: the loop that stands in for it (the local emulator's path) is tested here.
    moved = steering.move_by_loop(sqs, dlq, source)

    assert (moved.moved, moved.left, moved.source_queue) == (23, 0, source)
    received = []
    while batch := sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get(
        "Messages"
    ):
        received += [(m["Body"], m["MessageAttributes"]["attempt"]["StringValue"]) for m in batch]
        sqs.delete_message_batch(
            QueueUrl=source, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
        )
    assert sorted(received) == sorted((f"record-{n}", str(n)) for n in range(23))
    assert "Messages" not in sqs.receive_message(QueueUrl=dlq)
    assert steering.move_by_loop(sqs, dlq, source).moved == 0


def test_redrive_refuses_a_queue_that_is_nobodys_dead_letter_queue(queues):
    _, _, source, _ = queues
    for queue in (source, "other", "missing"):
        with pytest.raises(steering.Refused):
            steering.redrive({"environment": "dev"}, queue)
