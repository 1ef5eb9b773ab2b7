"""The durable-execution metrics Lambda publishes on AWS, published by the local engine to the emulator's CloudWatch.

On AWS, Lambda publishes ``DurableExecutionStarted``, ``DurableExecutionSucceeded``, ``DurableExecutionFailed``,
``DurableExecutionTimedOut``, ``DurableExecutionStopped`` (counts) and ``DurableExecutionDuration`` (milliseconds)
in the ``AWS/Lambda`` namespace (docs/releases.md lists the sources). Locally nothing did, so the durable alarms
(terraform/modules/durable_monitoring) could not fire. :class:`MeteredExecutor` is the engine's executor publishing
them when an execution starts and when it ends, with Lambda's dimensions: ``FunctionName`` alone, and
``FunctionName`` + ``Resource`` (``function:version``; an execution runs on one version, the one its ARN names), so
an alarm can watch one version (a canary). Each ending counts 1 for its outcome and 0 for the others, as Lambda
counts ``Errors`` 0 for a successful invocation, so an outcome alarm is evaluated (OK) before its first failure
rather than left without data. PutMetricData makes the emulator evaluate its alarms at once.

Publishing runs on one background thread: the engine never waits for CloudWatch, and a failed publish (emulator
restarting) is logged and dropped, as a lost datapoint is on AWS.
"""

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from aws_durable_execution_sdk_python_testing.execution import Execution
from aws_durable_execution_sdk_python_testing.executor import Executor

from local.aws import client

logger = logging.getLogger("local.durable_metrics")

NAMESPACE = "AWS/Lambda"
OUTCOME_METRICS = {
    "SUCCEEDED": "DurableExecutionSucceeded",
    "FAILED": "DurableExecutionFailed",
    "TIMED_OUT": "DurableExecutionTimedOut",
    "STOPPED": "DurableExecutionStopped",
}


def dimension_sets(execution: Execution) -> list[list[dict[str, str]]]:
    """Lambda's dimension sets for one execution: per function, and per function version (Resource)."""
    name = execution.start_input.function_name
    function = {"Name": "FunctionName", "Value": name}
    return [[function], [function, {"Name": "Resource", "Value": f"{name}:{execution.executed_version()}"}]]


def started_data(execution: Execution) -> list[dict[str, Any]]:
    return [
        {"MetricName": "DurableExecutionStarted", "Dimensions": dims, "Value": 1.0, "Unit": "Count"}
        for dims in dimension_sets(execution)
    ]


def ended_data(execution: Execution, now: datetime) -> list[dict[str, Any]]:
    """The outcome counts and the duration of an execution that has ended; nothing for one that has not."""
    if not execution.is_complete or execution.close_status is None:
        return []
    metric = OUTCOME_METRICS[execution.close_status.value]
    started = execution.get_operation_execution_started().start_timestamp or now
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    duration_ms = max(0.0, (now - started).total_seconds() * 1000)
    data = []
    for dims in dimension_sets(execution):
        for outcome in OUTCOME_METRICS.values():
            value = 1.0 if outcome == metric else 0.0
            data.append({"MetricName": outcome, "Dimensions": dims, "Value": value, "Unit": "Count"})
        data.append(
            {"MetricName": "DurableExecutionDuration", "Dimensions": dims, "Value": duration_ms, "Unit": "Milliseconds"}
        )
    return data


class Publisher:
    """PutMetricData on a background thread."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="durable-metrics")
        self._client: Any = None

    def publish(self, data: list[dict[str, Any]]) -> None:
        if data:
            self._pool.submit(self._put, data)

    def _put(self, data: list[dict[str, Any]]) -> None:
        try:
            if self._client is None:
                self._client = client("cloudwatch")
            self._client.put_metric_data(Namespace=NAMESPACE, MetricData=data)
        except Exception:
            logger.warning("could not publish %s", [d["MetricName"] for d in data], exc_info=True)


PUBLISHER = Publisher()


class MeteredExecutor(Executor):
    """The engine's executor, publishing the durable metrics when an execution starts and when it ends."""

    def start_execution(self, input: Any) -> Any:
        output = super().start_execution(input)
        if output.execution_arn:
            PUBLISHER.publish(started_data(self._store.load(execution_arn=output.execution_arn)))
        return output

    def _complete_events(self, execution_arn: str) -> None:
        super()._complete_events(execution_arn)
        try:
            execution = self._store.load(execution_arn=execution_arn)
        except Exception:  # noqa: BLE001 - an execution the store no longer has: nothing to count
            return
        PUBLISHER.publish(ended_data(execution, datetime.now(UTC)))
