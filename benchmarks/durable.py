"""Running a durable handler under AWS's testing runner, and reading sections and operation counts from it.

Times come from the checkpointed operations' own start/end timestamps (set by the runner's checkpoint
processor), so they measure a section of the workflow, not the runner's start-up or result polling.
"""

import contextlib
import importlib
import io
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from benchmarks import env

env.apply()

from aws_durable_execution_sdk_python_testing.executor import Executor  # noqa: E402
from aws_durable_execution_sdk_python_testing.runner import (  # noqa: E402
    DurableFunctionTestResult,
    DurableFunctionTestRunner,
    Operation,
)

Worker = Callable[[Any, Any], Any]
EXECUTOR_LOGGER = "aws_durable_execution_sdk_python_testing.executor"

# The runner answers an invocation that returned PENDING after its last pending operation had already completed
# with "Cannot return PENDING status with no pending operations" and re-invokes after RETRY_BACKOFF_SECONDS (5 s,
# real time even with skip_time). That stall is the runner's, not the workflow's: re-invoke at once, and count it.
Executor.RETRY_BACKOFF_SECONDS = 0


def set_stop_poll(seconds: float) -> None:
    """What-if only: how long the SDK's checkpoint batcher waits before it notices an invocation has ended.

    SDK 3.0.0 polls every 0.1 s, and an invocation does not return (so the next one cannot start) until the batcher
    has stopped: each suspension of a workflow costs up to 0.1 s. Lowering it shows what an SDK fix would buy.
    """
    sdk_state: Any = importlib.import_module("aws_durable_execution_sdk_python.state")
    sdk_state._STOP_SIGNAL_POLL_SECONDS = seconds


class _RetryCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "validation failure" in record.getMessage():
            self.count += 1


RUNNER_RETRIES = _RetryCounter()
_executor_logger = logging.getLogger(EXECUTOR_LOGGER)
_executor_logger.addHandler(RUNNER_RETRIES)
_executor_logger.propagate = False


@dataclass
class Spans:
    """Wall-clock intervals of the stand-in worker calls (perf_counter seconds), thread-safe."""

    calls: list[tuple[str, float, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, start: float, end: float) -> None:
        with self.lock:
            self.calls.append((name, start, end))

    def durations(self) -> dict[str, float]:
        return {name: end - start for name, start, end in self.calls}

    def overlap(self) -> float:
        """First start to last end."""
        return max(end for _, _, end in self.calls) - min(start for _, start, _ in self.calls)


def timed(name: str, latency_s: float, answer: Callable[[Any], Any], spans: Spans) -> Worker:
    """A chained-invoke target that takes ``latency_s`` and returns the real worker rule's answer."""

    def worker(event: Any, _context: Any) -> Any:
        start = time.perf_counter()
        time.sleep(latency_s)
        result = answer(event)
        spans.add(name, start, time.perf_counter())
        return result

    return worker


def run(handler: Callable[..., Any], workers: dict[str, Worker], event: Any) -> DurableFunctionTestResult:
    """One execution with ``workers`` registered under the names the handler reads from its environment."""
    with contextlib.redirect_stdout(io.StringIO()), DurableFunctionTestRunner(handler, skip_time=True) as runner:
        for env_name, worker in workers.items():
            runner.register_function(env.WORKER_NAMES[env_name], worker)
        result: DurableFunctionTestResult = runner.run(input=json.dumps(event), execution_timeout=120)
    if result.status.name != "SUCCEEDED":
        msg = f"{getattr(handler, '__module__', handler)} did not succeed: {result.error}"
        raise RuntimeError(msg)
    return result


def all_operations(result: DurableFunctionTestResult) -> list[Operation]:
    """Every checkpointed operation of the execution, nested ones included (the EXECUTION record excluded)."""
    found: list[Operation] = []
    pending: list[Operation] = list(result.operations)
    while pending:
        operation = pending.pop()
        found.append(operation)
        pending.extend(getattr(operation, "child_operations", None) or [])
    return found


def op_count(result: DurableFunctionTestResult) -> int:
    return len(all_operations(result))


def op_kinds(result: DurableFunctionTestResult) -> dict[str, int]:
    kinds = Counter(str(op.sub_type or op.operation_type.name) for op in all_operations(result))
    return dict(sorted(kinds.items()))


def section_seconds(result: DurableFunctionTestResult, name: str) -> float:
    """Wall time of a top-level context operation (parallel, map), from its checkpointed timestamps."""
    operation = result.get_context(name)
    if operation.start_timestamp is None or operation.end_timestamp is None:
        msg = f"operation {name!r} has no start/end timestamp"
        raise RuntimeError(msg)
    return (operation.end_timestamp - operation.start_timestamp).total_seconds()


@contextlib.contextmanager
def retries_counted() -> Iterator[list[int]]:
    """Yields a one-element list that holds, on exit, how many runner re-invocations happened inside."""
    box = [RUNNER_RETRIES.count]
    try:
        yield box
    finally:
        box[0] = RUNNER_RETRIES.count - box[0]
