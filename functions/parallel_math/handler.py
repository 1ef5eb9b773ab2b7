"""Parallel math (durable): addition, subtraction, multiplication and division run as parallel named steps.

Division is never retried (``RetryPresets.none()``); the other steps keep the SDK's default retry policy.
The branches all run to completion and the BatchResult decides: any failed branch gives the documented error.
"""

import math
import operator
from collections.abc import Callable
from typing import Any

from aws_durable_execution_sdk_python import DurableContext, ParallelBranch, durable_execution
from aws_durable_execution_sdk_python.config import ParallelConfig, StepConfig
from aws_durable_execution_sdk_python.retries import RetryPresets

from common.durable import ALL_COMPLETED
from common.observability import observability

obs = observability("parallel-math")
logger = obs.logger

Number = int | float
ERROR_RESPONSE = {"error_details": "One or more operations failed"}

# (step name, response key, operation, step config): the response keys are the contract's.
OPERATIONS: tuple[tuple[str, str, Callable[[Number, Number], Number], StepConfig | None], ...] = (
    ("addition", "Add", operator.add, None),
    ("subtraction", "Subtract", operator.sub, None),
    ("multiplication", "Multiply", operator.mul, None),
    ("division", "Division", operator.truediv, StepConfig(retry_strategy=RetryPresets.none())),
)
ALL_OPERATIONS = ParallelConfig(completion_config=ALL_COMPLETED)


def operands(event: Any) -> tuple[Any, Any]:
    """num1 and num2, each defaulting to 0 when missing (or when the event is not an object)."""
    fields = event if isinstance(event, dict) else {}
    return fields.get("num1", 0), fields.get("num2", 0)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def calculate(operation: Callable[[Number, Number], Number], num1: Number, num2: Number) -> Number:
    """One operation; a non-finite result (overflow) is an error, since JSON cannot carry it."""
    result = operation(num1, num2)
    if not is_number(result):
        msg = f"{operation.__name__}({num1!r}, {num2!r}) is not a finite number"
        raise ArithmeticError(msg)
    return result


def _branch(
    name: str, operation: Callable[[Number, Number], Number], config: StepConfig | None, num1: Any, num2: Any
) -> ParallelBranch[Number]:
    def run(child: DurableContext) -> Number:
        return child.step(lambda _: calculate(operation, num1, num2), name=name, config=config)

    return ParallelBranch(func=run, name=name)


@durable_execution
def handler(event: Any, context: DurableContext) -> dict[str, Any]:
    context.set_logger(logger)
    num1, num2 = operands(event)
    if not (is_number(num1) and is_number(num2)):
        # Arithmetic on non-numbers fails the same way on every attempt: answer without running the steps.
        context.logger.warning("non-numeric operands", extra={"num1": repr(num1), "num2": repr(num2)})
        return ERROR_RESPONSE
    batch = context.parallel(
        [_branch(name, op, config, num1, num2) for name, _, op, config in OPERATIONS],
        name="math-operations",
        config=ALL_OPERATIONS,
    )
    if batch.failure_count > 0:
        context.logger.warning("operations failed", extra={"errors": [str(error) for error in batch.get_errors()]})
        if not context.is_replaying():
            obs.count("MathOperationsFailed", batch.failure_count)
        return ERROR_RESPONSE
    results = batch.get_results()
    return {key: results[index] for index, (_, key, _, _) in enumerate(OPERATIONS)}
