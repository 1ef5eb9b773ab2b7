"""local/durable_engine.py: which executions a restarted engine resumes, and how (no network, no engine process).

The executions are the engine's own ``Execution`` objects, as its sqlite store gives them back; the engine methods
the module calls are checked to exist with the parameters it passes, so an upgrade of the pinned package that
changes them fails here before the restart scenario of the e2e tests does.
"""

import inspect
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
)
from aws_durable_execution_sdk_python_testing import cli
from aws_durable_execution_sdk_python_testing.execution import Execution
from aws_durable_execution_sdk_python_testing.executor import Executor
from aws_durable_execution_sdk_python_testing.model import StartDurableExecutionInput
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


def test_the_engine_cli_builds_its_runner_from_the_name_main_replaces():
    assert issubclass(durable_engine.ResumingWebRunner, cli.WebRunner)
    assert "WebRunner(" in inspect.getsource(cli.CliApp.start_server_command)
