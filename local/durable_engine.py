"""AWS's durable engine (``dex-local-runner``), started so that executions in flight survive a restart.

``python -m local.durable_engine start-server …`` takes the arguments of ``dex-local-runner start-server`` and
runs the same server. Two additions: before it serves, every execution its sqlite store holds that has not
ended is resumed, as the service resumes executions across its own restarts; and the durable-execution metrics are
published as executions start and end (local/durable_metrics.py).

The engine persists each execution's operations and checkpoint updates, but keeps in memory what drives an
execution forward: the handler invocation in flight, the timers of durable waits and step retries, the
chained invokes waiting for their target's answer, and the execution timeout. A restarted engine (a crash,
``make soak``'s restart scenario, ``make apply ENV=local`` adding a function) therefore held every such execution
``RUNNING`` for ever. For each one this module re-arms, with the engine's own methods:

- the execution timeout, with what is left of it (an execution already past it times out at once);
- the earliest due wait or step retry;
- each chained invoke the execution started whose answer was lost with the old process, dispatched again with
  the update the handler checkpointed. The target may so run twice (at least once, as a retried step); the
  project's workers are idempotent per order and per message (docs/contracts.md). A durable target is not
  dispatched again: its own execution is in the store and resumes like any other;
- one handler invocation, which replays the execution from its checkpoints and carries on. The invocation in
  flight at the stop lost its engine: its later checkpoints carry a token of the old invocation and are refused,
  as the service refuses a superseded invocation's.

Why glue and not the package: aws-durable-execution-sdk-python-testing 1.4.0 (pinned in pyproject.toml) has no
restart recovery and no public API to re-arm an execution; the methods used here are the ones its executor
calls itself when it launches an execution, fires a timer or receives a checkpoint. tests/unit/test_durable_engine
pins their behaviour, so an upgrade that changes them fails there first.
"""

import logging
import math
import sys
from datetime import UTC, datetime
from typing import Any

from aws_durable_execution_sdk_python.lambda_service import ErrorObject, OperationStatus, OperationType
from aws_durable_execution_sdk_python_testing import cli, runner
from aws_durable_execution_sdk_python_testing.execution import Execution
from aws_durable_execution_sdk_python_testing.executor import Executor
from aws_durable_execution_sdk_python_testing.runner import WebRunner

from local.durable_metrics import MeteredExecutor

logger = logging.getLogger("local.durable_engine")


def unfinished(store: Any) -> list[Execution]:
    """The executions in the store that have not ended."""
    return [execution for execution in store.list_all() if not execution.is_complete]


def seconds_left(execution: Execution, now: datetime) -> float | None:
    """What is left of the execution's timeout at ``now``; None when it has none."""
    timeout = execution.start_input.execution_timeout_seconds
    if not timeout or timeout <= 0:
        return None
    started = execution.get_operation_execution_started().start_timestamp or now
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    return timeout - (now - started).total_seconds()


def lost_chained_invokes(execution: Execution) -> list[tuple[str, Any]]:
    """(operation id, START update) of each chained invoke still waiting for a target without its own execution."""
    waiting = {
        op.operation_id
        for op in execution.operations
        if op.operation_type == OperationType.CHAINED_INVOKE
        and op.status == OperationStatus.STARTED
        and op.operation_id not in execution.chained_invoke_children
    }
    starts = {update.operation_id: update for update in execution.updates if update.operation_id in waiting}
    return [(operation_id, starts[operation_id]) for operation_id in sorted(waiting) if operation_id in starts]


def resume(executor: Executor, execution: Execution, now: datetime) -> str:
    """Re-arm one unfinished execution on a freshly started engine; what was done, for the log."""
    arn = execution.durable_execution_arn
    left = seconds_left(execution, now)
    if left is not None and left <= 0:
        timeout = execution.start_input.execution_timeout_seconds
        executor.on_timed_out(arn, ErrorObject.from_message(f"Execution timed out after {timeout} seconds."))
        return "timed out while the engine was down"
    # Arms the timeout with what is left of it and schedules one invocation (a replay).
    executor._launch_execution(execution, math.ceil(left) if left is not None else 0)
    executor._schedule_earliest_pending(arn)
    lost = lost_chained_invokes(execution)
    for operation_id, update in lost:
        options = update.chained_invoke_options
        executor.on_chained_invoke_started(arn, operation_id, options.function_name, options.tenant_id, update.payload)
    return f"re-invoked; {len(lost)} chained invoke(s) dispatched again"


class ResumingWebRunner(WebRunner):
    """dex-local-runner's WebRunner, resuming the store's unfinished executions before it serves."""

    def start(self) -> None:
        super().start()
        executor, store = self._executor, self._store
        if executor is None or store is None:
            return
        now = datetime.now(UTC)
        for execution in unfinished(store):
            outcome = resume(executor, execution, now)
            logger.warning("resumed %s after a restart: %s", execution.durable_execution_arn, outcome)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    cli.WebRunner = ResumingWebRunner  # type: ignore[attr-defined]  # the CLI builds its runner from this name
    runner.Executor = MeteredExecutor  # type: ignore[attr-defined]  # the runner builds its executor from this name
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
