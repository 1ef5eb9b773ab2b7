"""Parallel math under AWS's durable testing runner: the documented cases and the retry rules."""

import operator
from typing import Any

import pytest

from parallel_math import handler as math_handler
from tests.unit.support import DurableRun

ERROR = {"error_details": "One or more operations failed"}


@pytest.fixture
def run_math():
    return DurableRun(math_handler.handler, {})


def test_ten_and_five(run_math):
    response = run_math.result({"num1": 10, "num2": 5})
    assert response == {"Add": 15, "Subtract": 5, "Multiply": 50, "Division": 2.0}
    assert isinstance(response["Division"], float)


@pytest.mark.parametrize("event", [{"num1": 10, "num2": 0}, {}, None, [], {"num1": 10}])
def test_division_by_zero_and_defaults_give_the_documented_error(run_math, event):
    assert run_math.result(event) == ERROR


@pytest.mark.parametrize("event", [{"num1": "10", "num2": 5}, {"num1": True, "num2": 5}, {"num1": 1, "num2": [2]}])
def test_non_numeric_input_gives_the_documented_error(run_math, event):
    assert run_math.result(event) == ERROR


def test_overflow_is_an_error_not_infinity(run_math):
    assert run_math.result({"num1": 1e308, "num2": 1e-308}) == ERROR


def test_operations_run_as_named_steps_of_one_parallel_section(run_math):
    result = run_math({"num1": 7, "num2": 2})
    section = result.get_context("math-operations")
    assert [branch.name for branch in section.child_operations] == [
        "addition",
        "subtraction",
        "multiplication",
        "division",
    ]
    assert [branch.child_operations[0].name for branch in section.child_operations] == [
        "addition",
        "subtraction",
        "multiplication",
        "division",
    ]


def test_division_is_attempted_exactly_once(run_math, monkeypatch):
    attempts: list[str] = []
    real = math_handler.calculate

    def counting(operation: Any, num1: Any, num2: Any) -> Any:
        attempts.append(operation.__name__)
        return real(operation, num1, num2)

    monkeypatch.setattr(math_handler, "calculate", counting)
    assert run_math.result({"num1": 10, "num2": 0}) == ERROR
    assert attempts.count(operator.truediv.__name__) == 1
    assert attempts.count(operator.add.__name__) == 1
