"""AWS's durable engine (``dex-local-runner``), started so that executions in flight survive a restart.

``python -m local.durable_engine start-server …`` takes the arguments of ``dex-local-runner start-server`` and
runs the same server. The one addition: before it serves, every execution its sqlite store holds that has not
ended is resumed, as the service resumes executions across its own restarts.

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

Two more pieces keep a running engine from stranding an execution (``RUNNING`` for ever with nothing left that
would invoke it again; local/README.md, "Executions stranded by a lost wake-up"):

- ``WakeUpSafeExecutor``: the engine's executor, except that a wake-up timer that has fired (a wait or a step
  retry is due) always finishes its work, completing the due operations and invoking the handler. The engine
  cancels the armed wake-up whenever it re-arms the timer (each checkpoint, each invocation's end); 1.4.0 also
  cancels one that already fired and is completing the wait on the execution's lane, which completes the wait
  but drops the invocation that should follow.
- ``StrandGuard``: a thread that re-invokes, and logs, any execution that stays running with no handler
  invocation in flight and nothing pending (no chained invoke, no callback, no wait or retry timer still to come)
  for a few seconds, whatever the cause. ``make soak`` counts its log lines; it is meant never to fire.

And the durable-execution metrics Lambda publishes on AWS are published as executions start and end
(``MeteredExecutor``, local/durable_metrics.py), so the durable alarms work locally.
"""

import asyncio
import logging
import math
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aws_durable_execution_sdk_python.lambda_service import ErrorObject, OperationStatus, OperationType
from aws_durable_execution_sdk_python_testing import cli, runner
from aws_durable_execution_sdk_python_testing.execution import Execution
from aws_durable_execution_sdk_python_testing.executor import Executor
from aws_durable_execution_sdk_python_testing.runner import WebRunner
from aws_durable_execution_sdk_python_testing.worker.status import InvocationState

from local.durable_metrics import MeteredExecutor

logger = logging.getLogger("local.durable_engine")

# The guard's log line (``make soak`` counts it in the engine's log).
GUARD_LOG_MARK = "strand guard: re-invoked"
# How often the guard looks, and how long an execution must sit with nothing pending and nothing changing before
# it is re-invoked: longer than the engine's own hand-offs (milliseconds) between an answer and the invocation.
GUARD_INTERVAL_S = 2.0
GUARD_QUIET_S = 4.0


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


class WakeUpSafeExecutor(Executor):
    """The engine's executor; a wake-up timer that has fired runs to its end even when the timer is re-armed."""

    def _fire_due_and_invoke_handler(self, execution_arn: str) -> Callable[[], Awaitable[None]]:
        fire_due = super()._fire_due_and_invoke_handler(execution_arn)

        async def fire_due_to_the_end() -> None:
            # The scheduler sleeps until the due moment, then awaits this. A re-arm cancels the armed future: while
            # it sleeps, the timer is dropped as the engine intends; once it has fired, the shield lets the engine's
            # own coroutine complete the due operations and invoke the handler.
            await asyncio.shield(fire_due())

        return fire_due_to_the_end


# Operations a timer completes: a wait while STARTED, a step retry while PENDING.
TIMED = {OperationStatus.STARTED: OperationType.WAIT, OperationStatus.PENDING: OperationType.STEP}


def nothing_pending(execution: Execution, now: datetime) -> bool:
    """Whether no work the engine drives is left: no chained invoke or callback started, no wait or step retry
    whose moment is still to come (one already due counts as nothing: its timer is the one that got lost)."""
    for op in execution.operations:
        if op.operation_type in (OperationType.CHAINED_INVOKE, OperationType.CALLBACK):
            if op.status == OperationStatus.STARTED:
                return False
        elif op.operation_type == OperationType.WAIT and op.status == OperationStatus.STARTED:
            end = op.wait_details.scheduled_end_timestamp if op.wait_details else None
            if end is None or end > now:
                return False
        elif op.operation_type == OperationType.STEP and op.status == OperationStatus.PENDING:
            end = op.step_details.next_attempt_timestamp if op.step_details else None
            if end is None or end > now:
                return False
    return True


@dataclass(frozen=True)
class Sighting:
    """An execution seen idle: when, and what it looked like (any progress changes the fingerprint)."""

    since: float
    fingerprint: tuple[int, int, int, int]


class StrandGuard:
    """Re-invokes any execution left running with no invocation in flight and nothing pending.

    Glue, not a package feature: aws-durable-execution-sdk-python-testing 1.4.0 has no such check. It reads the
    store's running executions and the executor's invocation gate, and calls the executor's own timer and invoke
    methods, the ones the engine calls itself when a timer fires or an answer arrives.
    """

    def __init__(self, executor: Executor, store: Any, quiet_s: float = GUARD_QUIET_S) -> None:
        self._executor, self._store, self._quiet_s = executor, store, quiet_s
        self._seen: dict[str, Sighting] = {}
        self._stop = threading.Event()

    def idle(self, execution: Execution, now: datetime) -> bool:
        """Running, not paused, no invocation in flight, nothing pending."""
        arn = execution.durable_execution_arn
        return (
            not execution.is_complete
            and not execution.is_paused
            and self._executor._invocation_gate(arn) is InvocationState.PRE_INVOKE
            and nothing_pending(execution, now)
        )

    def scan(self, monotonic: float) -> list[str]:
        """One look at the running executions; the ARNs re-invoked."""
        now = datetime.now(UTC)
        running, _ = self._store.query(status_filter="RUNNING")
        seen, fired = {}, []
        for execution in running:
            if not self.idle(execution, now):
                continue
            arn = execution.durable_execution_arn
            fingerprint = (
                execution.seq_counter,
                execution.token_sequence,
                len(execution.invocation_completions),
                execution.consecutive_failed_invocation_attempts,
            )
            earlier = self._seen.get(arn)
            sighting = earlier if earlier and earlier.fingerprint == fingerprint else Sighting(monotonic, fingerprint)
            # Between failed invocations the engine itself re-invokes after its retry backoff.
            quiet = self._quiet_s + (self._executor.RETRY_BACKOFF_SECONDS if fingerprint[3] else 0)
            if monotonic - sighting.since >= quiet:
                fired.append(arn)
                self.reinvoke(execution, monotonic - sighting.since)
            else:
                seen[arn] = sighting
        self._seen = seen
        return fired

    def reinvoke(self, execution: Execution, idle_s: float) -> None:
        """Fire the execution's lost timer (which invokes the handler) or, with no timer, invoke the handler."""
        arn = execution.durable_execution_arn
        if any(TIMED.get(op.status) == op.operation_type for op in execution.operations):
            self._executor._schedule_earliest_pending(arn)  # the waits and retries idle() found are all due
            how = "due timer fired"
        else:
            self._executor._invoke_execution(arn)
            how = "handler invoked"
        logger.warning("%s %s after %.1f s idle with nothing pending: %s", GUARD_LOG_MARK, arn, idle_s, how)

    def run(self, interval_s: float = GUARD_INTERVAL_S) -> None:
        while not self._stop.wait(interval_s):
            try:
                self.scan(time.monotonic())
            except Exception:
                logger.exception("strand guard: scan failed")

    def stop(self) -> None:
        self._stop.set()


class ResumingWebRunner(WebRunner):
    """dex-local-runner's WebRunner, resuming the store's unfinished executions before it serves and guarding
    them from being stranded while it serves."""

    _guard: StrandGuard | None = None

    def start(self) -> None:
        super().start()
        executor, store = self._executor, self._store
        if executor is None or store is None:
            return
        now = datetime.now(UTC)
        for execution in unfinished(store):
            outcome = resume(executor, execution, now)
            logger.warning("resumed %s after a restart: %s", execution.durable_execution_arn, outcome)
        self._guard = StrandGuard(executor, store)
        threading.Thread(target=self._guard.run, name="strand-guard", daemon=True).start()

    def stop(self) -> None:
        if self._guard is not None:
            self._guard.stop()
        super().stop()


class LocalExecutor(MeteredExecutor, WakeUpSafeExecutor):
    """The local engine's executor: wake-up safe, and publishing the durable metrics."""


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # The CLI builds its runner, and the runner its executor, from these module names.
    cli.WebRunner = ResumingWebRunner  # type: ignore[attr-defined]
    runner.Executor = LocalExecutor  # type: ignore[attr-defined]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
