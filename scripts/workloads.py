"""Talk to a deployed environment through the AWS APIs: the same calls for local, dev and prod.

* ``invoke``: a Lambda ``Invoke`` of the function's ``live`` alias (a durable function starts a durable execution;
  ``--name`` sets its DurableExecutionName, ``--async`` starts it with InvocationType Event and prints its ARN).
* ``executions``: the function's recent durable executions (ListDurableExecutionsByFunction).
* ``history``: one execution's operations in order (GetDurableExecutionHistory).
* ``send``: one message on the pipeline queue.

Reads the environment's root outputs (``make outputs ENV=…`` writes them to build/outputs-<env>.json); the
``workloads`` output maps each FN name to its function and live alias. For
``local`` the clients point at the local Lambda API (AWS_ENDPOINT_URL, default http://127.0.0.1:4566) with the
emulator's fake keys; otherwise they use the current credentials and region.

stdout carries only the answer: the function's JSON response, the execution ARN, the table, or the message id.
"""

import argparse
import json
import os
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

if not __package__:  # run as a file (`python scripts/workloads.py`, or `import workloads` beside it): no repo root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts import manifests

# FN=… names: every durable function declared in functions/*/workload.json.
FUNCTIONS = sorted(manifests.durable_functions())
LOCAL_ENDPOINT = "http://127.0.0.1:4566"
# The statuses a durable execution ends in.
TERMINAL_STATUSES = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"})
# A synchronous Invoke of a durable function may last up to 15 minutes.
INVOKE_CONFIG = Config(read_timeout=960, retries={"max_attempts": 0})


def read_outputs(path: Path) -> dict[str, Any]:
    raw = json.loads(path.read_text())
    return {name: entry["value"] for name, entry in raw.items()}


def client_settings(outputs: dict[str, Any]) -> dict[str, Any]:
    """boto3 client arguments for the environment: the local endpoint with fake keys for ``local``; none (the
    current credentials and region) otherwise."""
    if outputs.get("environment") != "local":
        return {}
    return {
        "endpoint_url": os.environ.get("AWS_ENDPOINT_URL", LOCAL_ENDPOINT),
        "region_name": os.environ.get("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "us-east-1")),
        "aws_access_key_id": "test",
        "aws_secret_access_key": "test",
    }


def alias_arn(outputs: dict[str, Any], function: str) -> str:
    """The qualified ARN (alias live) of the durable function named ``function`` (an FN name)."""
    deployed: dict[str, dict[str, str]] = outputs.get("workloads", {})
    if function not in deployed:
        msg = f"{function!r} is not deployed in this environment; deployed: {', '.join(sorted(deployed)) or 'none'}"
        raise KeyError(msg)
    return deployed[function]["alias_arn"]


def lambda_client(outputs: dict[str, Any]) -> Any:
    return boto3.client("lambda", config=INVOKE_CONFIG, **client_settings(outputs))


class InvokeError(RuntimeError):
    """The function answered with a function error; ``body`` is its error payload."""

    def __init__(self, function: str, body: Any) -> None:
        super().__init__(f"{function} failed: {json.dumps(body)}")
        self.body = body


def invoke(
    outputs: dict[str, Any], function: str, payload: Any, name: str | None = None, asynchronous: bool = False
) -> Any:
    """Invoke the function's live alias; the JSON response, or ``{"DurableExecutionArn": …}`` when asynchronous."""
    arguments: dict[str, Any] = {"FunctionName": alias_arn(outputs, function), "Payload": json.dumps(payload).encode()}
    if name:
        arguments["DurableExecutionName"] = name
    if asynchronous:
        arguments["InvocationType"] = "Event"
    response = lambda_client(outputs).invoke(**arguments)
    if asynchronous:
        return {"DurableExecutionArn": response.get("DurableExecutionArn"), "StatusCode": response["StatusCode"]}
    body = json.loads(response["Payload"].read() or b"null")
    if response.get("FunctionError"):
        raise InvokeError(function, body)
    return body


def executions(outputs: dict[str, Any], function: str, limit: int = 20) -> list[dict[str, Any]]:
    """The function's most recent durable executions, newest first."""
    function_name = alias_arn(outputs, function).split(":function:")[-1].split(":")[0]
    found: list[dict[str, Any]] = []
    paginator = lambda_client(outputs).get_paginator("list_durable_executions_by_function")
    for page in paginator.paginate(FunctionName=function_name):
        found += page["DurableExecutions"]
    return sorted(found, key=lambda e: e["StartTimestamp"], reverse=True)[:limit]


@dataclass
class Operation:
    """One durable operation of an execution, folded from its history events."""

    id: str
    name: str
    kind: str
    parent: str | None
    depth: int
    status: str = "STARTED"
    attempts: int = 0
    started: datetime | None = None
    ended: datetime | None = None

    @property
    def seconds(self) -> float | None:
        return (self.ended - self.started).total_seconds() if self.started and self.ended else None


def history_events(outputs: dict[str, Any], execution_arn: str, include_data: bool = False) -> list[dict[str, Any]]:
    """Every event of the execution's history (all pages); with ``include_data`` the payloads and results too."""
    events: list[dict[str, Any]] = []
    paginator = lambda_client(outputs).get_paginator("get_durable_execution_history")
    for page in paginator.paginate(DurableExecutionArn=execution_arn, IncludeExecutionData=include_data):
        events += page["Events"]
    return events


def timeline(events: list[dict[str, Any]]) -> list[Operation]:
    """Operations in the order they started, with status, attempts and duration (execution events left out)."""
    operations: dict[str, Operation] = {}
    for event in events:
        kind = event.get("SubType")
        if not kind or "Id" not in event:
            continue  # ExecutionStarted/…, InvocationCompleted: not operations
        parent = event.get("ParentId")
        operation = operations.get(event["Id"])
        if operation is None:
            depth = operations[parent].depth + 1 if parent in operations else 0
            operation = Operation(event["Id"], event.get("Name") or "", kind, parent, depth)
            operations[event["Id"]] = operation
        phase = event["EventType"].removeprefix(_event_prefix(event["EventType"]))
        if phase == "Started":
            operation.attempts += 1
            operation.started = operation.started or event["EventTimestamp"]
        else:
            operation.status = phase.upper()
            operation.ended = event["EventTimestamp"]
            operation.started = operation.started or event["EventTimestamp"]
            details = next((v for k, v in event.items() if k.endswith("Details") and isinstance(v, dict)), {})
            attempt = details.get("RetryDetails", {}).get("CurrentAttempt")
            if isinstance(attempt, int):
                operation.attempts = max(operation.attempts, attempt)
    return list(operations.values())


def _event_prefix(event_type: str) -> str:
    for prefix in ("ChainedInvoke", "Context", "Step", "Wait", "Callback"):
        if event_type.startswith(prefix):
            return prefix
    return ""


def format_timeline(operations: list[Operation]) -> str:
    lines = [f"{'operation':<44} {'type':<15} {'status':<10} {'attempts':>8} {'seconds':>8}"]
    for op in operations:
        seconds = f"{op.seconds:.3f}" if op.seconds is not None else "-"
        label = "  " * op.depth + op.name
        lines.append(f"{label:<44} {op.kind:<15} {op.status:<10} {op.attempts:>8} {seconds:>8}")
    return "\n".join(lines)


def format_executions(found: list[dict[str, Any]]) -> str:
    lines = [f"{'name':<40} {'status':<10} {'started (UTC)':<24} {'seconds':>8}  arn"]
    for execution in found:
        start, end = execution["StartTimestamp"], execution.get("EndTimestamp")
        seconds = f"{(end - start).total_seconds():.1f}" if end else "-"
        lines.append(
            f"{execution['DurableExecutionName']:<40} {execution['Status']:<10} "
            f"{start.strftime('%Y-%m-%d %H:%M:%S'):<24} {seconds:>8}  {execution['DurableExecutionArn']}"
        )
    return "\n".join(lines)


def send(outputs: dict[str, Any], body: str) -> str:
    sqs = boto3.client("sqs", **client_settings(outputs))
    message_id: str = sqs.send_message(QueueUrl=outputs["data_processing_queue_url"], MessageBody=body)["MessageId"]
    return message_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--outputs", type=Path, required=True, help="JSON of the environment's root outputs")
    commands = parser.add_subparsers(dest="command", required=True)
    invoke_cmd = commands.add_parser("invoke")
    invoke_cmd.add_argument("--function", choices=FUNCTIONS, required=True)
    invoke_cmd.add_argument("--payload", type=Path, required=True)
    invoke_cmd.add_argument("--name", help="DurableExecutionName (idempotency key of the execution)")
    invoke_cmd.add_argument("--async", dest="asynchronous", action="store_true", help="start it; print its ARN")
    executions_cmd = commands.add_parser("executions")
    executions_cmd.add_argument("--function", choices=FUNCTIONS, required=True)
    history_cmd = commands.add_parser("history")
    history_cmd.add_argument("--execution", required=True, help="DurableExecutionArn")
    send_cmd = commands.add_parser("send")
    send_cmd.add_argument("--payload", type=Path, required=True, help="file whose content is the message body")
    args = parser.parse_args(argv)

    outputs = read_outputs(args.outputs)
    if args.command == "invoke":
        payload = json.loads(args.payload.read_text())
        try:
            answer = invoke(outputs, args.function, payload, args.name, args.asynchronous)
        except InvokeError as error:
            print(json.dumps(error.body), file=sys.stderr)
            return 1
        print(answer["DurableExecutionArn"] if args.asynchronous else json.dumps(answer))
    elif args.command == "executions":
        print(format_executions(executions(outputs, args.function)))
    elif args.command == "history":
        print(format_timeline(timeline(history_events(outputs, args.execution))))
    else:
        print(send(outputs, args.payload.read_text()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
