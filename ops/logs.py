"""Every log line of one durable execution, across the durable function and each worker it invoked, in time order.

The correlation: a durable orchestrator passes its execution's ARN to every worker it invokes (payload field
``executionArn``), and every log line of the execution carries it under that key, the orchestrator's through the
durable SDK's logger and the workers' through ``common.observability.worker_handler``. So the lines are found by
CloudWatch Logs ``FilterLogEvents`` with the ARN as a quoted-term filter pattern, on the log groups of exactly the
functions the execution touched (its own, and each chained invoke's target from its history), within its time
window. A quoted term (rather than the JSON pattern ``{ $.executionArn = "…" }``) because it means the same on AWS
and in the local emulator, whose FilterLogEvents matches terms but treats a JSON pattern as "match everything".
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from scripts import workloads

# Lines are written when an invocation ends: look a little past the execution's end, and before its start for
# clock skew between the service and the log ingestion.
WINDOW_BEFORE = timedelta(seconds=5)
WINDOW_AFTER = timedelta(minutes=2)
POWERTOOLS_TIME = "%Y-%m-%d %H:%M:%S,%f%z"  # Powertools Logger's default "timestamp" format


@dataclass(frozen=True)
class LogLine:
    """One log event of the execution."""

    timestamp: datetime
    function: str
    message: str

    @property
    def fields(self) -> dict[str, Any]:
        """The structured (JSON) line's fields; empty for a plain-text line."""
        if not self.message.startswith("{"):
            return {}
        try:
            parsed = json.loads(self.message)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}

    @property
    def level(self) -> str:
        return str(self.fields.get("level", ""))

    @property
    def text(self) -> str:
        """The message, and for an error line the exception's name and message."""
        fields = self.fields
        if not fields:
            return self.message.rstrip()
        text = str(fields.get("message", ""))
        if fields.get("exception_name"):
            last = str(fields.get("exception", "")).strip().splitlines()[-1:] or [""]
            text += f" | {last[0]}"
        return text


def function_name(arn_or_name: str) -> str:
    """``local-order-processor`` from a function ARN (qualified or not) or name."""
    name = arn_or_name.rsplit(":function:", maxsplit=1)[-1] if ":function:" in arn_or_name else arn_or_name
    return name.split(":")[0]


def functions_touched(execution: dict[str, Any], events: list[dict[str, Any]]) -> list[str]:
    """The execution's own function and every chained invoke's target, by name, in first-touched order."""
    names = [function_name(execution["FunctionArn"])]
    for event in events:
        target = (event.get("ChainedInvokeStartedDetails") or {}).get("FunctionName")
        if target and function_name(target) not in names:
            names.append(function_name(target))
    return names


def log_group(function: str) -> str:
    """The function's log group (terraform/modules/function_base names every function's group so)."""
    return f"/aws/lambda/{function}"


def execution_lines(outputs: dict[str, Any], execution_arn: str) -> list[LogLine]:
    """Every line of the execution from every function it touched, oldest first."""
    execution = workloads.lambda_client(outputs).get_durable_execution(DurableExecutionArn=execution_arn)
    return lines_of(outputs, execution, workloads.history_events(outputs, execution_arn))


def lines_of(outputs: dict[str, Any], execution: dict[str, Any], events: list[dict[str, Any]]) -> list[LogLine]:
    """:func:`execution_lines` for an execution and history already read."""
    start: datetime = execution["StartTimestamp"]
    end: datetime = execution.get("EndTimestamp") or datetime.now(UTC)
    logs = boto3.client("logs", **workloads.client_settings(outputs))
    arn = execution["DurableExecutionArn"]
    lines: list[LogLine] = []
    for function in functions_touched(execution, events):
        lines += _filter(logs, function, arn, start - WINDOW_BEFORE, end + WINDOW_AFTER)
    return sorted(lines, key=lambda line: line.timestamp)


def _filter(logs: Any, function: str, term: str, start: datetime, end: datetime) -> list[LogLine]:
    arguments = {
        "logGroupName": log_group(function),
        "filterPattern": json.dumps(term),  # a quoted term: the ARN's ':' and '/' are matched literally
        "startTime": int(start.timestamp() * 1000),
        "endTime": int(end.timestamp() * 1000),
    }
    found: list[LogLine] = []
    try:
        for page in logs.get_paginator("filter_log_events").paginate(**arguments):
            found += [
                LogLine(_written_at(e), function, e["message"])
                for e in page["events"]
                if term in e["message"]  # the emulator matches case-insensitively; AWS exactly
            ]
    except logs.exceptions.ResourceNotFoundException:
        return []  # the function has not logged yet: no group
    return found


def _written_at(event: dict[str, Any]) -> datetime:
    """When the line was written: the structured line's own timestamp (Powertools, millisecond precision) when it
    has one, else the event's. The local emulator stamps every line of an invocation with the invocation's end."""
    received = datetime.fromtimestamp(event["timestamp"] / 1000, UTC)
    stamp = LogLine(received, "", event["message"]).fields.get("timestamp")
    if not isinstance(stamp, str):
        return received
    try:
        return datetime.strptime(stamp, POWERTOOLS_TIME).astimezone(UTC)
    except ValueError:
        return received


def format_lines(lines: list[LogLine], prefix: str = "") -> str:
    """``time  function  LEVEL  message`` per line; function names without the environment's prefix."""
    width = max((len(line.function.removeprefix(prefix)) for line in lines), default=8)
    return "\n".join(
        f"{line.timestamp.strftime('%H:%M:%S.%f')[:-3]}  {line.function.removeprefix(prefix):<{width}}  "
        f"{line.level:<7}  {line.text}"
        for line in lines
    )
