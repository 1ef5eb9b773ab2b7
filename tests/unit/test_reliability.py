"""Reliability rules at unit level: a transaction conflict is retried (never "out of stock"), the
orchestrator retries a failed worker invoke in named operations, and the local fault switch fails a worker
transiently (first N calls per order) or permanently."""

import json
from collections import Counter
from typing import Any

import pytest
from botocore.exceptions import ClientError

from common import faults
from order_processing import orchestrator
from order_processing.workers import inventory
from tests.unit.support import TEST_ENV, DurableRun
from tests.unit.test_orders import SAMPLE_ORDER, WORKERS


def cancelled(*codes: str) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
            "CancellationReasons": [{"Code": code} for code in codes],
        },
        "TransactWriteItems",
    )


class ConflictingClient:
    """The real (moto) client, except that the first ``conflicts`` transactions are cancelled by a conflict."""

    def __init__(self, real: Any, conflicts: int) -> None:
        self.real, self.conflicts, self.transactions = real, conflicts, 0

    def transact_write_items(self, **arguments: Any) -> Any:
        self.transactions += 1
        if self.transactions <= self.conflicts:
            raise cancelled("None", "TransactionConflict")
        return self.real.transact_write_items(**arguments)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@pytest.fixture
def conflicting(inventory_table, monkeypatch):
    def install(conflicts: int) -> ConflictingClient:
        stub = ConflictingClient(inventory._client(), conflicts)
        monkeypatch.setattr(inventory, "_client", lambda: stub)
        monkeypatch.setattr(inventory, "CONFLICT_BASE_DELAY_S", 0.001)
        return stub

    return install


def test_a_transaction_conflict_is_retried_not_answered_as_out_of_stock(conflicting, inventory_table):
    stub = conflicting(conflicts=3)
    result = inventory.reserve("ORD-CONFLICT", Counter({"PROD-001": 2}))

    assert result["available"] is True, result
    assert stub.transactions == 4
    assert inventory_table.get("PROD-001") == 998


def test_endless_conflicts_fail_the_worker_instead_of_refusing_the_order(conflicting, inventory_table):
    stub = conflicting(conflicts=100)
    with pytest.raises(ClientError):
        inventory.reserve("ORD-CONFLICT", Counter({"PROD-001": 2}))

    assert stub.transactions == inventory.CONFLICT_ATTEMPTS
    assert inventory_table.get("PROD-001") == 1000


def test_short_stock_is_still_answered_as_unavailable_at_once(conflicting, inventory_table):
    stub = conflicting(conflicts=0)
    inventory_table.set("PROD-001", 1)
    result = inventory.reserve("ORD-SHORT", Counter({"PROD-001": 2}))

    assert result == {"available": False, "reason": "insufficient stock or unknown product: PROD-001"}
    assert stub.transactions == 1


def test_a_release_that_conflicts_is_retried_and_gives_the_stock_back(conflicting, inventory_table):
    inventory.reserve("ORD-REL", Counter({"PROD-002": 3}))
    conflicting(conflicts=2)
    assert inventory.release("ORD-REL")["released"] is True
    assert inventory_table.get("PROD-002") == 1000


def test_conflict_classification():
    assert inventory._is_conflict(cancelled("None", "TransactionConflict"))
    assert not inventory._is_conflict(cancelled("None", "ConditionalCheckFailed"))
    assert not inventory._is_conflict(cancelled("TransactionConflict", "ConditionalCheckFailed"))


def flaky(failures: int, calls: list[int]) -> Any:
    def worker(event: Any, context: Any) -> Any:
        calls.append(1)
        if len(calls) <= failures:
            raise RuntimeError("payment gateway timed out")
        return WORKERS["PAYMENT_FUNCTION"](event, context)

    return worker


def test_a_transiently_failing_worker_is_retried_and_the_order_confirms(inventory_table):
    calls: list[int] = []
    run = DurableRun(orchestrator.handler, {**WORKERS, "PAYMENT_FUNCTION": flaky(1, calls)})
    outcome = run(SAMPLE_ORDER)

    assert json.loads(outcome.result)["success"] is True
    assert len(calls) == 2
    payment = outcome.get_context("run-workers").child_operations[1]
    assert [op.name for op in payment.child_operations] == [
        "invoke-payment",
        "retry-wait-payment-1",
        "invoke-payment-retry-1",
    ]
    assert inventory_table.get("PROD-001") == 998


def test_a_permanently_failing_worker_rejects_the_order_naming_it_and_releases_stock(inventory_table):
    calls: list[int] = []
    run = DurableRun(orchestrator.handler, {**WORKERS, "PAYMENT_FUNCTION": flaky(99, calls)})
    response = run.result(SAMPLE_ORDER)

    assert response["success"] is False
    assert [f["step"] for f in response["failures"]] == ["payment"]
    assert "payment gateway timed out" in response["failures"][0]["reason"]
    assert len(calls) == 1 + orchestrator.WORKER_RETRIES
    assert inventory_table.all() == {"PROD-001": 1000, "PROD-002": 1000, "PROD-003": 1000}


def test_a_healthy_order_keeps_its_operation_names(inventory_table):
    outcome = DurableRun(orchestrator.handler, WORKERS)(SAMPLE_ORDER)
    branches = outcome.get_context("run-workers").child_operations
    assert [[op.name for op in branch.child_operations] for branch in branches] == [
        ["invoke-inventory"],
        ["invoke-payment"],
        ["invoke-shipping"],
        ["invoke-tax"],
    ]


def switch(monkeypatch: pytest.MonkeyPatch, **spec: Any) -> None:
    monkeypatch.setenv(faults.FAULT_ENV, json.dumps({"table": TEST_ENV["INVENTORY_TABLE_NAME"], **spec}))


def test_the_fault_switch_is_a_no_op_when_unset(monkeypatch):
    monkeypatch.delenv(faults.FAULT_ENV, raising=False)
    faults.inject("payment", {"orderId": "ORD-1"})  # no table, no client: nothing is called


def test_a_transient_fault_fails_the_first_n_calls_of_each_order(inventory_table, monkeypatch):
    switch(monkeypatch, worker="payment", mode="transient", failures=2)
    for _ in range(2):
        with pytest.raises(faults.InjectedFault, match="transient"):
            faults.inject("payment", {"orderId": "ORD-A"})
    faults.inject("payment", {"orderId": "ORD-A"})
    faults.inject("tax", {"orderId": "ORD-B"})  # another worker is not affected
    with pytest.raises(faults.InjectedFault):
        faults.inject("payment", {"orderId": "ORD-B"})  # counted per order


def test_a_permanent_fault_fails_every_call_but_never_the_release(inventory_table, monkeypatch):
    switch(monkeypatch, worker="inventory", mode="permanent")
    for _ in range(3):
        with pytest.raises(faults.InjectedFault, match="permanent"):
            faults.inject("inventory", {"orderId": "ORD-A", "action": "reserve"})
    faults.inject("inventory", {"orderId": "ORD-A", "action": "release"})


def test_a_slow_worker_answers_after_the_delay_every_call(monkeypatch):
    switch(monkeypatch, worker="shipping", mode="slow", delay_seconds=0.2)
    slept: list[float] = []
    monkeypatch.setattr(faults.time, "sleep", slept.append)
    faults.inject("shipping", {"orderId": "ORD-A"})
    faults.inject("shipping", {"orderId": "ORD-A"})
    faults.inject("tax", {"orderId": "ORD-A"})  # another worker is not slowed
    assert slept == [0.2, 0.2]


def test_a_malformed_switch_names_the_variable(monkeypatch):
    monkeypatch.setenv(faults.FAULT_ENV, json.dumps({"worker": "billing", "mode": "transient"}))
    with pytest.raises(faults.InjectedFault, match="FAULT_INJECTION"):
        faults.inject("payment", {"orderId": "ORD-A"})


def test_the_fault_switch_through_the_real_worker_confirms_after_retries(inventory_table, monkeypatch):
    switch(monkeypatch, worker="payment", mode="transient", failures=2)
    outcome = DurableRun(orchestrator.handler, WORKERS)(SAMPLE_ORDER)

    assert json.loads(outcome.result)["success"] is True
    payment = outcome.get_context("run-workers").child_operations[1]
    assert [op.name for op in payment.child_operations][-1] == "invoke-payment-retry-2"
