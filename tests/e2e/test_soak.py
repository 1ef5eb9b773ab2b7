"""The reliability soak (tests/soak) at a small size, on this session's private local environment.

`make soak` runs the same scenarios at full size and writes build/soak.json; here each runs small (the whole file
adds minutes to `make test`: the stranding test's cold release takes longest on a loaded machine). Every
scenario goes through the Lambda API, SQS, DynamoDB and CloudWatch Logs of the local endpoint only. The restart
scenario stops and starts this environment's engine and front, so it runs last.
"""

from typing import Any

import pytest

from tests.e2e.conftest import ENDPOINT, STATE_DIR
from tests.e2e.local_stack import deployed_outputs, stack  # noqa: F401 - fixtures `outputs` and `stack`
from tests.soak import contention, faults, fuzz, restart, storm, stranding
from tests.soak.env import SoakEnv

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def soak_env(outputs: dict[str, Any]) -> SoakEnv:
    return SoakEnv(outputs, endpoint=ENDPOINT)


def test_contention_sells_exactly_the_stock(soak_env):
    result = contention.run(soak_env, orders=16, stock=14, concurrency=10)
    assert result["violations"] == []
    assert result["units_sold"] == result["stock"] - result["stock_left"]
    assert result["orders_confirmed"] + result["orders_rejected"] == 16
    assert 0 <= result["stock_left"] < 2


def test_storm_stores_every_good_message_once_and_dead_letters_the_poison(soak_env):
    result = storm.run(soak_env, messages=40, drain_timeout_s=300)
    assert result["violations"] == []
    assert result["messages_in"] == result["stored"] + result["dead_lettered"]
    assert result["dead_lettered"] == sum(n for kind, n in result["kinds"].items() if not kind.startswith("good"))
    assert result["reasons_found"] == result["dead_lettered"]
    assert result["redelivery"]["stored_again"] == 0


def test_worker_faults_are_retried_or_reject_the_order_releasing_stock(soak_env):
    result = faults.run(soak_env, orders=2, failures=2)
    assert result["violations"] == []
    assert result["transient_confirmed"] == 2
    assert result["permanent_rejected_step"] == ["payment"]


def test_fuzzed_events_get_documented_answers(soak_env):
    result = fuzz.run(soak_env, examples=30)
    assert result["violations"] == []


def test_no_execution_is_stranded_when_answers_and_wait_ends_land_during_invocations(soak_env):
    # One cold round of 8 orders and 5 messages. It ends as soon as its executions do; the generous timeout only
    # matters on a machine so loaded that cold orders take minutes (what stays RUNNING after it is reported).
    result = stranding.run(
        soak_env, orders=8, messages=5, rounds=1, settle_timeout_s=600, engine_log=STATE_DIR / "engine.log"
    )
    assert result["stranded"] == 0, result["violations"]  # running with nothing pending: never invoked again
    assert result["still_running"] == 0, result["violations"]
    assert result["order_status"] == {"SUCCEEDED": 8}
    assert result["guard_fired"] == 0  # the engine itself lost no invocation; the guard had nothing to rescue
    assert result["violations"] == []


@pytest.fixture(scope="module")
def restarted(soak_env) -> dict[str, Any]:
    # 3 orders wait on a slow worker at the stop; 3 more, started 0.3 s before it, are in their first invocations.
    return restart.run(soak_env, orders=6, stop_after_s=0.3, finish_timeout_s=120, state_dir=str(STATE_DIR))


def test_every_execution_in_flight_at_an_engine_restart_finishes_after_it_once(restarted):
    assert restarted["in_flight_at_stop"] == 6
    assert restarted["waiting_on_a_worker_at_stop"] >= 1  # a chained invoke whose answer the stopped engine lost
    assert restarted["resumed_after_restart"] == 6
    assert restarted["not_resumed"] == 0
    assert restarted["violations"] == []  # no operation ran twice, no stock held by an unconfirmed order
    assert restarted["final_status"] == {"SUCCEEDED": 6}


def test_the_restarted_engine_and_front_serve_new_executions(restarted, soak_env):
    _, body = soak_env.invoke(
        soak_env.client("lambda"), soak_env.outputs["parallel_math_alias_arn"], {"num1": 4, "num2": 2}
    )
    assert body == {"Add": 6, "Subtract": 2, "Multiply": 8, "Division": 2.0}
