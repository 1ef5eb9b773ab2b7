"""local/durable_engine.py: which executions a restarted engine resumes, and how; the fired wake-up that the
engine's re-arm loses; the guard against stranded executions (no network, no engine process).

The executions are the engine's own ``Execution`` objects, as its sqlite store gives them back; the engine methods
the module calls are checked to exist with the parameters it passes, so an upgrade of the pinned package that
changes them fails here before the e2e tests do. The wake-up tests run the engine's real executor, scheduler and
lanes on an in-memory store, with the handler invocation recorded instead of made.
"""

import inspect
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aws_durable_execution_sdk_python.lambda_service import (
    ChainedInvokeOptions,
    Operation,
    OperationAction,
    OperationStatus,
    OperationType,
    OperationUpdate,
    WaitDetails,
)
from aws_durable_execution_sdk_python_testing import cli, runner
from aws_durable_execution_sdk_python_testing.checkpoint.processor import CheckpointProcessor
from aws_durable_execution_sdk_python_testing.execution import Execution
from aws_durable_execution_sdk_python_testing.executor import Executor
from aws_durable_execution_sdk_python_testing.model import StartDurableExecutionInput
from aws_durable_execution_sdk_python_testing.scheduler import Scheduler
from aws_durable_execution_sdk_python_testing.stores.memory import InMemoryExecutionStore
from aws_durable_execution_sdk_python_testing.worker.checkpoint_tasks import CallableTask
from aws_durable_execution_sdk_python_testing.worker.status import InvocationState
from local import durable_engine

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
WORKER = "arn:aws:lambda:us-east-1:000000000000:function:local-shipping-worker:3"


def execution(timeout_s: int = 3600) -> Execution:
    started = Execution.new(
        input=StartDurableExecutionInput(
            account_id="000000000000",
            function_name="local-order-processor",
            function_qualifier="7",
            execution_name="order-1",
            execution_timeout_seconds=timeout_s,
            execution_retention_period_days=1,
            invocation_id="inv-1",
            input='{"orderId": "o-1"}',
        )
    )
    started.start(now=T0)
    return started


def chained_invoke(started: Execution, operation_id: str, status: OperationStatus, payload: str) -> None:
    started.operations.append(
        Operation(operation_id, OperationType.CHAINED_INVOKE, status, name=f"invoke-{operation_id}")
    )
    started.updates.append(
        OperationUpdate(
            operation_id,
            OperationType.CHAINED_INVOKE,
            OperationAction.START,
            name=f"invoke-{operation_id}",
            payload=payload,
            chained_invoke_options=ChainedInvokeOptions(function_name=WORKER),
        )
    )


class Store:
    def __init__(self, executions: list[Execution]) -> None:
        self.executions = executions

    def list_all(self) -> list[Execution]:
        return self.executions


class RecordingExecutor:
    """Records the engine calls resume makes, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def _launch_execution(self, started: Execution, timeout_seconds: int) -> None:
        self.calls.append(("launch", started.durable_execution_arn, timeout_seconds))

    def _schedule_earliest_pending(self, arn: str) -> None:
        self.calls.append(("timers", arn))

    def on_chained_invoke_started(self, arn: str, op: str, function: str, tenant: str | None, payload: str) -> None:
        self.calls.append(("dispatch", arn, op, function, tenant, payload))

    def on_timed_out(self, arn: str, error: Any) -> None:
        self.calls.append(("timed-out", arn, error.message))


def test_only_executions_that_have_not_ended_are_resumed():
    running, ended = execution(), execution()
    ended.complete_success(result='{"status": "CONFIRMED"}')
    assert durable_engine.unfinished(Store([running, ended])) == [running]


def test_what_is_left_of_the_execution_timeout():
    assert durable_engine.seconds_left(execution(timeout_s=3600), T0 + timedelta(seconds=600)) == 3000
    assert durable_engine.seconds_left(execution(timeout_s=60), T0 + timedelta(seconds=90)) == -30
    assert durable_engine.seconds_left(execution(timeout_s=0), T0) is None


def test_chained_invokes_whose_answer_was_lost_are_the_started_ones_without_a_child_execution():
    started = execution()
    chained_invoke(started, "inventory", OperationStatus.SUCCEEDED, '{"action": "reserve"}')
    chained_invoke(started, "shipping", OperationStatus.STARTED, '{"orderId": "o-1"}')
    chained_invoke(started, "durable-child", OperationStatus.STARTED, "{}")
    started.chained_invoke_children["durable-child"] = "child-arn"
    lost = durable_engine.lost_chained_invokes(started)
    assert [(op, update.payload, update.chained_invoke_options.function_name) for op, update in lost] == [
        ("shipping", '{"orderId": "o-1"}', WORKER)
    ]


def test_a_resumed_execution_gets_its_timeout_left_a_replay_its_timers_and_its_lost_invokes_again():
    started = execution(timeout_s=3600)
    chained_invoke(started, "shipping", OperationStatus.STARTED, '{"orderId": "o-1"}')
    engine = RecordingExecutor()
    outcome = durable_engine.resume(engine, started, T0 + timedelta(seconds=100))  # type: ignore[arg-type]
    arn = started.durable_execution_arn
    assert engine.calls == [
        ("launch", arn, 3500),
        ("timers", arn),
        ("dispatch", arn, "shipping", WORKER, None, '{"orderId": "o-1"}'),
    ]
    assert "1 chained invoke" in outcome


def test_a_timeout_with_less_than_a_second_left_is_still_armed():
    started = execution(timeout_s=60)
    engine = RecordingExecutor()
    durable_engine.resume(engine, started, T0 + timedelta(seconds=59.5))  # type: ignore[arg-type]
    assert engine.calls[0] == ("launch", started.durable_execution_arn, 1)  # 0 would arm no timeout at all


def test_an_execution_past_its_timeout_while_the_engine_was_down_times_out_without_a_replay():
    started = execution(timeout_s=60)
    engine = RecordingExecutor()
    durable_engine.resume(engine, started, T0 + timedelta(seconds=61))  # type: ignore[arg-type]
    assert engine.calls == [("timed-out", started.durable_execution_arn, "Execution timed out after 60 seconds.")]


@pytest.mark.parametrize(
    ("method", "parameters"),
    [
        ("_launch_execution", ["execution", "timeout_seconds"]),
        ("_schedule_earliest_pending", ["execution_arn"]),
        ("on_chained_invoke_started", ["execution_arn", "operation_id", "function_name", "tenant_id", "payload"]),
        ("on_timed_out", ["execution_arn", "error"]),
    ],
)
def test_the_engine_methods_resume_calls_take_what_it_passes(method, parameters):
    assert list(inspect.signature(getattr(Executor, method)).parameters)[1:] == parameters


def test_the_engine_cli_builds_its_runner_and_the_runner_its_executor_from_the_names_main_replaces():
    assert issubclass(durable_engine.ResumingWebRunner, cli.WebRunner)
    assert "WebRunner(" in inspect.getsource(cli.CliApp.start_server_command)
    assert issubclass(durable_engine.WakeUpSafeExecutor, runner.Executor)
    assert "Executor(" in inspect.getsource(runner.WebRunner.start)


# --- the fired wake-up a re-arm loses, on the engine's real executor, scheduler and lanes --------------------------


class Engine:
    """An executor of the given class on an in-memory store and a running scheduler; invocations are recorded."""

    def __init__(self, executor_class: type[Executor]) -> None:
        self.store, self.scheduler = InMemoryExecutionStore(), Scheduler()
        self.scheduler.start()
        self.executor = executor_class(
            store=self.store,
            scheduler=self.scheduler,
            invoker=None,  # type: ignore[arg-type]  # nothing here reaches the invoker: invocations are recorded
            checkpoint_processor=CheckpointProcessor(self.store, self.scheduler),
        )
        self.invoked: list[str] = []
        self.executor._invoke_execution = lambda arn, delay=0: self.invoked.append(arn)  # type: ignore[method-assign]

    def waiting(self, wait_ends: datetime) -> str:
        """A running execution whose one operation is a wait ending at ``wait_ends``; its ARN."""
        started = execution()
        started.operations.append(
            Operation(
                "wait-1",
                OperationType.WAIT,
                OperationStatus.STARTED,
                name="confirmation-delay",
                wait_details=WaitDetails(scheduled_end_timestamp=wait_ends),
            )
        )
        self.store.save(started)
        return started.durable_execution_arn

    def on_lane(self, arn: str, work: Any) -> None:
        self.executor._registry.submit(arn, CallableTask(work))

    def wait_status(self, arn: str) -> OperationStatus:
        return self.store.load(arn).operations[-1].status

    def stop(self) -> None:
        self.scheduler.stop()


def rearm_while_a_fired_wake_up_completes_the_wait(engine: Engine, invocation_end_first: bool) -> str:
    """The interleavings of the stranded executions, made deterministic.

    The confirmation wait is due and its wake-up fires: it queues the completion of the wait on the execution's lane
    and awaits it before invoking the handler. The invocation that started the wait ends at that moment, and its
    end (also lane work, just ahead of the completion or just behind it) re-arms the wake-up timer, which cancels
    the armed future: the fired one. The scheduler's loop is busy for a moment with other executions, so the lane
    runs both before the loop delivers the cancellation. Either way the wait completes and the fired coroutine is
    cancelled before it invokes; the timer armed instead finds nothing due.
    """
    arn = engine.waiting(datetime.now(UTC) - timedelta(seconds=1))
    lane_free = threading.Event()

    def invocation_end() -> None:
        engine.executor._schedule_earliest_pending(arn)

    def busy_then(then: Any) -> None:
        lane_free.wait(5)
        then()

    engine.on_lane(arn, lambda: busy_then(invocation_end if invocation_end_first else lambda: None))
    engine.executor._schedule_earliest_pending(arn)  # due: fires at once, queues the wait's completion
    time.sleep(0.3)
    if not invocation_end_first:
        engine.on_lane(arn, invocation_end)
    engine.scheduler._loop.call_soon_threadsafe(time.sleep, 0.5)  # the loop is busy with other executions
    time.sleep(0.05)
    lane_free.set()
    time.sleep(1.0)
    return arn


@pytest.fixture
def engine_of(request: pytest.FixtureRequest) -> Iterator[Any]:
    engines: list[Engine] = []

    def make(executor_class: type[Executor]) -> Engine:
        engines.append(Engine(executor_class))
        return engines[-1]

    yield make
    for engine in engines:
        engine.stop()


@pytest.mark.parametrize("invocation_end_first", [True, False])
def test_the_pinned_engine_loses_the_invocation_after_a_wait_when_the_timer_is_rearmed_as_it_fires(
    engine_of, invocation_end_first
):
    # The engine behaviour WakeUpSafeExecutor exists for: the wait completes and nothing invokes the handler again.
    # When an upgrade makes this fail, the engine fixed it: drop WakeUpSafeExecutor.
    engine = engine_of(Executor)
    arn = rearm_while_a_fired_wake_up_completes_the_wait(engine, invocation_end_first)
    assert engine.wait_status(arn) == OperationStatus.SUCCEEDED
    assert engine.invoked == []


@pytest.mark.parametrize("invocation_end_first", [True, False])
def test_a_fired_wake_up_invokes_the_handler_once_even_when_the_timer_is_rearmed(engine_of, invocation_end_first):
    engine = engine_of(durable_engine.WakeUpSafeExecutor)
    arn = rearm_while_a_fired_wake_up_completes_the_wait(engine, invocation_end_first)
    assert engine.wait_status(arn) == OperationStatus.SUCCEEDED
    assert engine.invoked == [arn]


def test_a_wake_up_still_sleeping_is_cancelled_by_a_rearm_as_the_engine_intends(engine_of):
    engine = engine_of(durable_engine.WakeUpSafeExecutor)
    arn = engine.waiting(datetime.now(UTC) + timedelta(seconds=0.5))
    engine.executor._schedule_earliest_pending(arn)
    waking = engine.executor._pending_wakeup[arn]
    operations = engine.store.load(arn).operations  # the wait goes away: nothing left to time
    operations[:] = [op for op in operations if op.operation_type != OperationType.WAIT]
    engine.executor._schedule_earliest_pending(arn)
    time.sleep(0.8)
    assert waking.cancelled()
    assert engine.invoked == []


# --- the strand guard ----------------------------------------------------------------------------------------------


def with_operation(op_type: OperationType, status: OperationStatus, **details: Any) -> Execution:
    started = execution()
    started.operations.append(Operation("op-1", op_type, status, name="op", **details))
    return started


NOW = datetime.now(UTC)


@pytest.mark.parametrize(
    ("started", "pending"),
    [
        (execution(), False),
        (with_operation(OperationType.CHAINED_INVOKE, OperationStatus.STARTED), True),
        (with_operation(OperationType.CHAINED_INVOKE, OperationStatus.SUCCEEDED), False),
        (with_operation(OperationType.CALLBACK, OperationStatus.STARTED), True),
        (
            with_operation(
                OperationType.WAIT,
                OperationStatus.STARTED,
                wait_details=WaitDetails(scheduled_end_timestamp=NOW + timedelta(seconds=30)),
            ),
            True,
        ),
        (  # due and still STARTED: its timer was lost
            with_operation(
                OperationType.WAIT,
                OperationStatus.STARTED,
                wait_details=WaitDetails(scheduled_end_timestamp=NOW - timedelta(seconds=30)),
            ),
            False,
        ),
        (with_operation(OperationType.WAIT, OperationStatus.SUCCEEDED), False),
        (with_operation(OperationType.STEP, OperationStatus.STARTED), False),
    ],
)
def test_what_counts_as_work_the_engine_still_drives(started, pending):
    assert durable_engine.nothing_pending(started, NOW) is not pending


class GateExecutor:
    """The executor calls the guard makes: the invocation gate it reads, the timer and invoke methods it calls."""

    RETRY_BACKOFF_SECONDS = Executor.RETRY_BACKOFF_SECONDS

    def __init__(self) -> None:
        self.gates: dict[str, InvocationState] = {}
        self.calls: list[tuple[str, str]] = []

    def _invocation_gate(self, arn: str) -> InvocationState:
        return self.gates.get(arn, InvocationState.PRE_INVOKE)

    def _invoke_execution(self, arn: str, delay: float = 0) -> None:
        self.calls.append(("invoke", arn))

    def _schedule_earliest_pending(self, arn: str) -> None:
        self.calls.append(("timers", arn))


def guard_over(*executions: Execution) -> tuple[durable_engine.StrandGuard, GateExecutor]:
    store = InMemoryExecutionStore()
    for started in executions:
        store.save(started)
    gates = GateExecutor()
    return durable_engine.StrandGuard(gates, store, quiet_s=4), gates  # type: ignore[arg-type]


def test_the_guard_reinvokes_an_execution_idle_with_nothing_pending_once_it_stayed_so_for_the_quiet_time():
    stranded = with_operation(OperationType.WAIT, OperationStatus.SUCCEEDED)
    guard, gates = guard_over(stranded)
    assert guard.scan(100.0) == []
    assert guard.scan(102.0) == []
    assert guard.scan(104.0) == [stranded.durable_execution_arn]
    assert gates.calls == [("invoke", stranded.durable_execution_arn)]


def test_the_guard_fires_a_due_wait_whose_timer_was_lost():
    lost_timer = with_operation(
        OperationType.WAIT,
        OperationStatus.STARTED,
        wait_details=WaitDetails(scheduled_end_timestamp=datetime.now(UTC) - timedelta(seconds=10)),
    )
    guard, gates = guard_over(lost_timer)
    guard.scan(100.0)
    guard.scan(104.0)
    assert gates.calls == [("timers", lost_timer.durable_execution_arn)]


def test_the_guard_leaves_alone_executions_in_an_invocation_waiting_on_work_or_making_progress():
    invoking, on_worker, moving = (
        execution(),
        with_operation(OperationType.CHAINED_INVOKE, OperationStatus.STARTED),
        execution(),
    )
    guard, gates = guard_over(invoking, on_worker, moving)
    gates.gates[invoking.durable_execution_arn] = InvocationState.INVOKING
    guard.scan(100.0)
    moving.seq_counter += 1  # an operation changed between the looks
    guard.scan(104.0)
    assert gates.calls == []
    guard.scan(108.0)
    assert gates.calls == [("invoke", moving.durable_execution_arn)]


def test_the_guard_waits_out_the_engines_own_retry_backoff_between_failed_invocations():
    retrying = execution()
    retrying.consecutive_failed_invocation_attempts = 1
    guard, gates = guard_over(retrying)
    guard.scan(100.0)
    guard.scan(104.0)
    assert gates.calls == []
    guard.scan(100.0 + 4 + Executor.RETRY_BACKOFF_SECONDS)
    assert gates.calls == [("invoke", retrying.durable_execution_arn)]
