"""The canary's verdict (releases/judge.py), its report (releases/report.py) and the front's weighted alias routing,
without AWS."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from local.lambda_front import weighted_version
from releases import report
from releases.controller import AlarmTransition, Execution, Observation
from releases.judge import Criteria, Tally, Verdict, failed, judge

CRITERIA = Criteria(bake_seconds=60, max_failure_rate=0.2, min_executions=4, outcome_field="success")


def tally(succeeded: int, failures: int, running: int = 0) -> Tally:
    return Tally(started=succeeded + failures + running, running=running, succeeded=succeeded, failed=failures)


@pytest.mark.parametrize(
    ("status", "result", "counts_as_failed"),
    [
        ("SUCCEEDED", {"success": True}, False),
        ("SUCCEEDED", {"success": False, "failures": [{"step": "payment"}]}, True),  # rejected every card
        ("SUCCEEDED", {"Add": 15}, False),  # no outcome field: the status decides
        ("FAILED", None, True),
        ("TIMED_OUT", None, True),
        ("STOPPED", None, True),
    ],
)
def test_an_execution_fails_by_status_or_by_its_outcome_field(status, result, counts_as_failed):
    assert failed(status, result, "success") is counts_as_failed


def test_a_failing_canary_is_withdrawn_as_soon_as_enough_executions_finished():
    assert judge(tally(0, 3, running=5), tally(10, 0), [], CRITERIA, bake_over=False).decision is None
    verdict = judge(tally(0, 4), tally(10, 0), [], CRITERIA, bake_over=False)
    assert (verdict.decision, verdict.signal) == ("withdraw", "failure-rate")
    assert "4 of 4" in verdict.reason


def test_the_tolerance_is_over_the_stable_versions_own_failure_rate():
    # 30 % of orders are declined on both versions (out of stock, cards refused): that is not the release's doing.
    assert judge(tally(7, 3), tally(70, 30), [], CRITERIA, bake_over=True).decision == "promote"
    assert judge(tally(4, 6), tally(70, 30), [], CRITERIA, bake_over=True).decision == "withdraw"


def test_an_alarm_withdraws_at_once_whatever_the_executions_say():
    verdict = judge(tally(10, 0), tally(10, 0), ["fn-durable-canary-failed"], CRITERIA, bake_over=False)
    assert (verdict.decision, verdict.signal) == ("withdraw", "alarm")


def test_a_canary_nothing_exercised_is_withdrawn_unless_no_executions_are_required():
    verdict = judge(tally(2, 0), tally(10, 0), [], CRITERIA, bake_over=True)
    assert (verdict.decision, verdict.signal) == ("withdraw", "no-traffic")
    no_minimum = Criteria(bake_seconds=60, max_failure_rate=0.0, min_executions=0)
    assert judge(tally(0, 0), tally(0, 0), [], no_minimum, bake_over=True).decision == "promote"


def test_a_healthy_canary_is_promoted_only_when_the_bake_is_over():
    assert judge(tally(20, 0), tally(20, 0), [], CRITERIA, bake_over=False).decision is None
    assert judge(tally(20, 0), tally(20, 0), [], CRITERIA, bake_over=True).decision == "promote"


def test_the_front_routes_a_weighted_alias_like_lambda():
    alias = {"FunctionVersion": "3", "RoutingConfig": {"AdditionalVersionWeights": {"4": 0.25}}}
    assert weighted_version(alias, draw=0.0) == "4"
    assert weighted_version(alias, draw=0.2499) == "4"
    assert weighted_version(alias, draw=0.25) == "3"
    assert weighted_version({"FunctionVersion": "3"}, draw=0.0) == "3"
    assert weighted_version({"FunctionVersion": "3", "RoutingConfig": {"AdditionalVersionWeights": {}}}) == "3"
    picks = [weighted_version(alias) for _ in range(4000)]
    assert 0.2 < picks.count("4") / len(picks) < 0.3


T0 = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)


def history_item(alarm: str, seconds: int, old: str, new: str) -> dict[str, object]:
    """A DescribeAlarmHistory StateUpdate item as boto3 returns it (HistoryData is CloudWatch's JSON document)."""
    data = {"version": "1.0", "oldState": {"stateValue": old}, "newState": {"stateValue": new, "stateReason": "x"}}
    return {
        "AlarmName": alarm,
        "Timestamp": T0 + timedelta(seconds=seconds),
        "HistoryItemType": "StateUpdate",
        "HistorySummary": f"Alarm updated from {old} to {new}",
        "HistoryData": json.dumps(data),
    }


def test_the_report_gives_the_decision_latency_and_the_canary_alarms_transitions():
    ran = [
        Execution("arn:1", "o-1", "2", "SUCCEEDED", T0, T0 + timedelta(seconds=30), failed=True),
        Execution("arn:2", "o-2", "2", "SUCCEEDED", T0, T0 + timedelta(seconds=20), failed=True),
        Execution("arn:3", "o-3", "2", "RUNNING", T0),
        Execution("arn:4", "o-4", "1", "SUCCEEDED", T0, T0 + timedelta(seconds=10)),
    ]
    observation = Observation(executions={e.arn: e for e in ran})
    transitions = [
        AlarmTransition.from_history(history_item("fn-durable-canary-failed", 5, "INSUFFICIENT_DATA", "OK")),
        AlarmTransition.from_history(history_item("fn-durable-canary-failed", 25, "OK", "ALARM")),
    ]
    verdict = Verdict("withdraw", "alarm", "alarm in ALARM: fn-durable-canary-failed", ["fn-durable-canary-failed"])
    decided = T0 + timedelta(seconds=32.5)
    built = report.build("fn", "1", "2", 0.5, T0, verdict, decided, observation, None, transitions)

    assert built["decision_latency_seconds"] == 12.5  # from the first failed canary execution's end (20 s)
    assert built["versions"]["2"] | {"started": 3, "failed": 2, "running": 1} == built["versions"]["2"]
    assert built["first_alarm_at"] == (T0 + timedelta(seconds=25)).isoformat()
    assert [(t["from"], t["to"]) for t in built["alarm_transitions"]] == [("INSUFFICIENT_DATA", "OK"), ("OK", "ALARM")]
    assert [e["name"] for e in built["canary_executions_in_flight_at_decision"]] == ["o-3"]
    text = report.table(built)
    assert "Decision latency: 12.5 s" in text
    assert "fn-durable-canary-failed: OK -> ALARM" in text
