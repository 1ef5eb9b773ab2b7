"""Steering durable executions and dead-letter queues with plain boto3: the same calls against AWS and locally.

* :func:`stop` stops a running execution (StopDurableExecution); an execution that has ended is refused.
* :func:`retry` starts a new execution of the same function version (or, after a fix was released, of ``live``)
  with the same input under a name derived from the original, so a second call attaches to the first retry
  instead of starting another (the execution name is the idempotency key of Invoke).
* :func:`redrive` moves a dead-letter queue's messages back to the queue whose redrive policy names it:
  SQS StartMessageMoveTask where the service has it, otherwise a receive/send/delete loop that deletes a message
  only after its copy was accepted by the source queue (never loses one).
"""

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError
from scripts import workloads

from ops.logs import function_name

NAME_LIMIT = 64  # DurableExecutionName: 1..64 of [A-Za-z0-9_-]
RETRY_SUFFIX = "-retry"
MOVE_BATCH = 10  # SQS batch limit
# While the loop moves a batch, its messages stay invisible on the DLQ; a message whose copy was refused becomes
# visible again after this and is left for the next run.
MOVE_VISIBILITY_S = 120
MOVE_TASK_POLL_S = 2.0
UNSUPPORTED = {"InvalidAction", "UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation"}


class Refused(RuntimeError):
    """The request cannot be carried out as asked; the message says why and what to do instead."""


def _execution(outputs: dict[str, Any], execution_arn: str) -> dict[str, Any]:
    try:
        found: dict[str, Any] = workloads.lambda_client(outputs).get_durable_execution(
            DurableExecutionArn=execution_arn, IncludeExecutionData=True
        )
    except ClientError as error:
        raise Refused(f"no durable execution {execution_arn!r}: {error.response['Error']['Message']}") from error
    return found


def stop(outputs: dict[str, Any], execution_arn: str, reason: str = "stopped by an operator") -> str:
    """Stop a running execution; its status afterwards."""
    execution = _execution(outputs, execution_arn)
    if execution["Status"] in workloads.TERMINAL_STATUSES:
        msg = (
            f"execution {execution['DurableExecutionName']} has already ended ({execution['Status']} at "
            f"{execution.get('EndTimestamp')}): nothing to stop. To run it again: "
            f"make retry ENV={outputs.get('environment')} EXECUTION={execution_arn}"
        )
        raise Refused(msg)
    lam = workloads.lambda_client(outputs)
    lam.stop_durable_execution(
        DurableExecutionArn=execution_arn, Error={"ErrorType": "StoppedByOperator", "ErrorMessage": reason}
    )
    status: str = lam.get_durable_execution(DurableExecutionArn=execution_arn)["Status"]
    return status


def retry_name(name: str) -> str:
    """``<name>-retry``, shortened with a digest of the full name when it would exceed the 64-character limit."""
    if len(name) + len(RETRY_SUFFIX) <= NAME_LIMIT:
        return name + RETRY_SUFFIX
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    keep = NAME_LIMIT - len(RETRY_SUFFIX) - len(digest) - 1
    return f"{name[:keep]}-{digest}{RETRY_SUFFIX}"


@dataclass(frozen=True)
class Retry:
    execution_arn: str
    name: str
    function: str
    qualifier: str


def retry(outputs: dict[str, Any], execution_arn: str, qualifier: str | None = None) -> Retry:
    """Start (or attach to) the retry of an ended execution: same function, same input, version ``qualifier``
    (default: the version the execution ran on)."""
    execution = _execution(outputs, execution_arn)
    if execution["Status"] not in workloads.TERMINAL_STATUSES:
        msg = (
            f"execution {execution['DurableExecutionName']} is still {execution['Status']}: wait for it to end, "
            f"or stop it first (make stop ENV={outputs.get('environment')} EXECUTION={execution_arn})"
        )
        raise Refused(msg)
    function_arn: str = execution["FunctionArn"]
    version = str(execution.get("Version") or function_arn.rsplit(":", 1)[-1])
    target = qualifier or version
    name = retry_name(execution["DurableExecutionName"])
    unqualified = function_arn.rsplit(":", 1)[0] if function_arn.count(":") > 6 else function_arn
    response = workloads.lambda_client(outputs).invoke(
        FunctionName=unqualified,
        Qualifier=target,
        InvocationType="Event",
        DurableExecutionName=name,
        Payload=(execution.get("InputPayload") or "null").encode(),
    )
    return Retry(response["DurableExecutionArn"], name, function_name(function_arn), target)


@dataclass
class Redrive:
    source_queue: str
    moved: int = 0
    left: int = 0  # messages whose copy the source queue refused: still on the DLQ
    method: str = "StartMessageMoveTask"


def redrive(outputs: dict[str, Any], queue: str) -> Redrive:
    """Move every message of the dead-letter queue ``queue`` (name or URL) back to its source queue."""
    sqs = boto3.client("sqs", **workloads.client_settings(outputs))
    dlq_url = queue if queue.startswith(("http://", "https://")) else _queue_url(sqs, queue)
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    source_url, source_arn = _source_of(sqs, dlq_arn)
    try:
        task = sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=source_arn)
    except ClientError as error:
        if error.response["Error"]["Code"] not in UNSUPPORTED:
            raise
        return move_by_loop(sqs, dlq_url, source_url)
    return _await_move_task(sqs, dlq_arn, task["TaskHandle"], source_url)


def _queue_url(sqs: Any, name: str) -> str:
    try:
        url: str = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except ClientError as error:
        raise Refused(f"no queue named {name!r}: {error.response['Error']['Message']}") from error
    return url


def _source_of(sqs: Any, dlq_arn: str) -> tuple[str, str]:
    """The one queue whose redrive policy dead-letters into ``dlq_arn``: (url, arn).

    Read from the queues' RedrivePolicy rather than ListDeadLetterSourceQueues, which the local emulator lacks."""
    sources = []
    for page in sqs.get_paginator("list_queues").paginate():
        for url in page.get("QueueUrls", []):
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy", "QueueArn"])
            policy = json.loads(attributes["Attributes"].get("RedrivePolicy") or "{}")
            if policy.get("deadLetterTargetArn") == dlq_arn:
                sources.append((url, attributes["Attributes"]["QueueArn"]))
    if len(sources) != 1:
        names = [url.rsplit("/", 1)[-1] for url, _ in sources] or "none"
        msg = f"{dlq_arn.rsplit(':', 1)[-1]} must be the dead-letter queue of exactly one queue; source queues: {names}"
        raise Refused(msg)
    return sources[0]


def _await_move_task(sqs: Any, dlq_arn: str, handle: str, source_url: str) -> Redrive:
    while True:
        tasks = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10)["Results"]
        task = next((t for t in tasks if t.get("TaskHandle") == handle), tasks[0] if tasks else {})
        if task.get("Status") in {"COMPLETED", "FAILED", "CANCELLED"}:
            moved = int(task.get("ApproximateNumberOfMessagesMoved", 0))
            if task["Status"] != "COMPLETED":
                raise Refused(
                    f"the move task ended {task['Status']} after {moved} messages: {task.get('FailureReason')}"
                )
            return Redrive(source_url, moved=moved)
        time.sleep(MOVE_TASK_POLL_S)


def move_by_loop(sqs: Any, dlq_url: str, source_url: str) -> Redrive:
    """Receive a batch, send copies (body and message attributes) to the source queue, delete from the DLQ only
    the messages whose copies were accepted. Stops when the DLQ answers with nothing visible."""
    result = Redrive(source_url, method="receive/send/delete loop")
    while True:
        batch = sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=MOVE_BATCH,
            VisibilityTimeout=MOVE_VISIBILITY_S,
            MessageAttributeNames=["All"],
            WaitTimeSeconds=1,
        ).get("Messages", [])
        if not batch:
            return result
        entries = [
            {
                "Id": str(index),
                "MessageBody": message["Body"],
                **({"MessageAttributes": message["MessageAttributes"]} if message.get("MessageAttributes") else {}),
            }
            for index, message in enumerate(batch)
        ]
        sent = sqs.send_message_batch(QueueUrl=source_url, Entries=entries)
        accepted = {int(entry["Id"]) for entry in sent.get("Successful", [])}
        if accepted:
            sqs.delete_message_batch(
                QueueUrl=dlq_url,
                Entries=[{"Id": str(i), "ReceiptHandle": batch[i]["ReceiptHandle"]} for i in sorted(accepted)],
            )
        result.moved += len(accepted)
        result.left += len(batch) - len(accepted)
