"""Canary releases on the local environment, for real: a steady stream of orders through the order processor's alias
while the release controller (releases/) judges a new version by its own executions.

Release N+1 turns the local fault switch on (``fault_injection``: the payment worker fails every call) and goes out
as a 50 % canary: the controller withdraws it on its failure rate, no order reaches it after the decision, every
order it started ends rejected with its stock released, every order on N confirms. The canary's alarms are read back
from the emulator's alarm history: the emulator evaluated them, and they stayed out of ALARM, because a rejected
order is an execution that SUCCEEDED (what the outcome field is for). Then a healthy N+2 canary is promoted. After
each decision the stack is applied again from the release record and a re-plan shows no change. The reports go to
build/canary-release-e2e.json.
"""

import json
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from releases.report import table

from tests.e2e.local_stack import apply_with, deployed_outputs, plan_has_changes, stack  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "build" / "canary-release-e2e.json"
FUNCTION = "order-processor"
# Bakes stay short: a failing canary is withdrawn as soon as min_executions of its orders finished, so its bake is
# only an upper bound, sized for an order whose payment fails: three worker calls that raise, each a cold start of
# the worker in the emulator, and the orchestrator's retry waits (minutes per order on a loaded machine). The healthy
# canary bakes in full.
CANARY = {
    "strategy": "canary",
    "canary_share": 0.5,
    "bake_seconds": 420,
    "max_failure_rate": 0.2,
    "min_executions": 2,
    "outcome_field": "success",
}
HEALTHY_CANARY = {**CANARY, "bake_seconds": 150}
# The bad release: the fault switch makes the payment worker raise on every call (functions/common/faults.py), so
# each order on it fails its payment branch after the orchestrator's retries and is rejected.
PAYMENT_FAILS = {"worker": "payment", "mode": "permanent"}
# What a release decision must leave truthful: the function's stack (alias), its release record, its workers.
RELEASED = [f'module.durable["{FUNCTION}"]']
# A steady trickle the local engine keeps up with: an order is a dozen Lambda invocations locally, one whose payment
# fails twice as many.
ORDER_INTERVAL_SECONDS = 8.0
ORDER = json.loads((ROOT / "examples" / "orders" / "sample-ca.json").read_text())
PRODUCTS = {item["productId"]: item["quantity"] for item in ORDER["items"]}
TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"}


@dataclass
class Sent:
    order_id: str
    arn: str
    version: str
    sent_at: datetime


@dataclass
class OrderStream:
    """Orders sent one after another to the live alias (asynchronous invokes, as a queue consumer would)."""

    alias_arn: str
    sent: list[Sent] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> "OrderStream":
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        client = boto3.client("lambda")
        run = uuid.uuid4().hex[:6]
        while not self._stop.is_set():
            order_id = f"ORD-CANARY-{run}-{len(self.sent):04d}"
            sent_at = datetime.now(UTC)
            answer = client.invoke(
                FunctionName=self.alias_arn,
                InvocationType="Event",
                DurableExecutionName=order_id,
                Payload=json.dumps({**ORDER, "orderId": order_id}).encode(),
            )
            self.sent.append(Sent(order_id, answer["DurableExecutionArn"], answer["ExecutedVersion"], sent_at))
            self._stop.wait(ORDER_INTERVAL_SECONDS)


def stock(outputs: dict[str, Any]) -> dict[str, int]:
    table = boto3.client("dynamodb")
    return {
        product: int(
            table.get_item(TableName=outputs["inventory_table_name"], Key={"pk": {"S": f"PRODUCT#{product}"}})["Item"][
                "stock"
            ]["N"]
        )
        for product in PRODUCTS
    }


def finished(arns: list[str], timeout: float = 180) -> dict[str, dict[str, Any]]:
    """Every execution's final GetDurableExecution answer, waiting for those still running."""
    client = boto3.client("lambda")
    deadline = time.monotonic() + timeout
    done: dict[str, dict[str, Any]] = {}
    while len(done) < len(arns) and time.monotonic() < deadline:
        for arn in arns:
            if arn not in done:
                details = client.get_durable_execution(DurableExecutionArn=arn)
                if details["Status"] in TERMINAL:
                    done[arn] = details
        time.sleep(1)
    missing = sorted(set(arns) - set(done))
    assert not missing, f"{len(missing)} orders still running after {timeout} s: {missing[:3]}"
    return done


def controller(outputs: dict[str, Any], tmp_path: Path) -> subprocess.Popen[str]:
    """`python -m releases canary` for the order processor, started; its report goes to tmp_path."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    outputs_file = tmp_path / "outputs.json"
    outputs_file.write_text(json.dumps({name: {"value": value} for name, value in outputs.items()}))
    return subprocess.Popen(
        [sys.executable, "-m", "releases", "canary", "--outputs", str(outputs_file), "--function", FUNCTION,
         "--report-dir", str(tmp_path), "--drain-seconds", "300", "--verbose"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def judged(outputs: dict[str, Any], tmp_path: Path, orders_after_decision: int = 0) -> tuple[int, Any, str, Any]:
    """Run the controller while orders stream in, the stream going on until ``orders_after_decision`` orders were
    sent after the alias stopped routing by weight (the decision). Exit status, report, output, the orders sent."""
    process = controller(outputs, tmp_path)
    with OrderStream(outputs["order_processor_alias_arn"]) as stream:
        while process.poll() is None and alias(outputs)[1]:
            time.sleep(0.5)
        unweighted_at = datetime.now(UTC)
        deadline = time.monotonic() + (orders_after_decision + 1) * ORDER_INTERVAL_SECONDS * 3
        while sum(s.sent_at > unweighted_at for s in stream.sent) < orders_after_decision:
            assert time.monotonic() < deadline, "the order stream stalled after the decision"
            time.sleep(0.5)
    log, _ = process.communicate(timeout=900)
    report = tmp_path / f"{FUNCTION}.json"
    return process.returncode, json.loads(report.read_text()) if report.exists() else None, log, stream


def alias(outputs: dict[str, Any]) -> tuple[str, dict[str, float]]:
    answer = boto3.client("lambda").get_alias(FunctionName=outputs["function_names"][FUNCTION], Name="live")
    return answer["FunctionVersion"], (answer.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}


def test_a_failing_canary_is_withdrawn_and_a_healthy_one_promoted(outputs, tmp_path):
    # Release N, as the session deployed it: nothing recorded yet, so the controller records it as stable.
    version_n = outputs["durable_releases"][FUNCTION]["candidate_version"]
    status, _, log, _ = judged(outputs, tmp_path / "n")
    assert status == 0, log
    assert alias(outputs) == (version_n, {})

    # Release N+1: payment fails every call. The alias keeps N and routes half of the new orders to N+1.
    faulty = apply_with(releases={FUNCTION: CANARY}, fault_injection=PAYMENT_FAILS)
    version_bad = faulty["durable_releases"][FUNCTION]["candidate_version"]
    assert int(version_bad) > int(version_n)
    assert alias(faulty) == (version_n, {version_bad: CANARY["canary_share"]})

    stock_before = stock(faulty)
    status, withdrawn, log, stream = judged(faulty, tmp_path / "bad", orders_after_decision=2)
    assert status == 1, log
    assert withdrawn is not None, log
    assert withdrawn["decision"] == "withdrawn", withdrawn
    assert withdrawn["signal"] == "failure-rate", withdrawn
    assert alias(faulty) == (version_n, {})
    decided_at = datetime.fromisoformat(withdrawn["decided_at"])
    assert withdrawn["decision_latency_seconds"] > 0, withdrawn

    outcomes = finished([s.arn for s in stream.sent], timeout=600)
    on_bad = [s for s in stream.sent if s.version == version_bad]
    on_n = [s for s in stream.sent if s.version == version_n]
    assert on_bad, "no order reached the canary"
    assert any(s.sent_at > decided_at for s in stream.sent), "no order was sent after the decision"
    assert all(s.version == version_n for s in stream.sent if s.sent_at > decided_at), "an order reached N+1 late"
    assert withdrawn["canary_executions_started_after_decision"] == []
    for s in on_bad:  # every order the canary started ends there: rejected, payment named, stock given back
        result = json.loads(outcomes[s.arn]["Result"])
        assert result["success"] is False, result
        assert [f["step"] for f in result["failures"]] == ["payment"], result
    for s in on_n:
        assert json.loads(outcomes[s.arn]["Result"])["success"] is True, outcomes[s.arn]
    consumed = {product: quantity * len(on_n) for product, quantity in PRODUCTS.items()}
    assert stock(faulty) == {product: stock_before[product] - consumed[product] for product in PRODUCTS}

    # The local engine published the durable metrics per version, with Lambda's dimensions.
    published = boto3.client("cloudwatch").list_metrics(Namespace="AWS/Lambda", MetricName="DurableExecutionStarted")
    resources = {d["Value"] for m in published["Metrics"] for d in m["Dimensions"] if d["Name"] == "Resource"}
    name = faulty["function_names"][FUNCTION]
    assert {f"{name}:{version_n}", f"{name}:{version_bad}"} <= resources

    # The canary's own alarms watch N+1 (Resource dimension). The emulator evaluates an alarm when it is written and
    # whenever metrics arrive (over every datapoint of its metric name, whatever the dimensions): its history, in the
    # report, has both leave INSUFFICIENT_DATA for OK and none go to ALARM. An order rejected for its payment is an
    # execution that SUCCEEDED, so DurableExecutionFailed stayed 0 and the failure rate by outcome field decided.
    canary_alarms = faulty["durable_releases"][FUNCTION]["canary_alarm_names"]
    described = boto3.client("cloudwatch").describe_alarms(AlarmNames=canary_alarms)["MetricAlarms"]
    assert len(described) == len(canary_alarms) == 2, canary_alarms
    watched = {d["Value"] for a in described for d in a["Dimensions"] if d["Name"] == "Resource"}
    assert watched == {f"{name}:{version_bad}"}
    transitions = withdrawn["alarm_transitions"]
    assert {t["alarm"] for t in transitions if t["to"] == "OK"} == set(canary_alarms), transitions
    assert all(t["to"] != "ALARM" for t in transitions), transitions
    assert withdrawn["first_alarm_at"] is None

    # The record now says N+1 was withdrawn: applying again renders the alias as the controller left it.
    apply_with(releases={FUNCTION: CANARY}, fault_injection=PAYMENT_FAILS)
    assert alias(faulty) == (version_n, {})
    assert not plan_has_changes(RELEASED, releases={FUNCTION: CANARY}, fault_injection=PAYMENT_FAILS)

    # Release N+2: the fault switch off again, a new version; a healthy canary is promoted after its bake.
    healthy = apply_with(releases={FUNCTION: HEALTHY_CANARY})
    version_good = healthy["durable_releases"][FUNCTION]["candidate_version"]
    assert int(version_good) > int(version_bad)
    assert alias(healthy) == (version_n, {version_good: CANARY["canary_share"]})
    status, promoted, log, stream = judged(healthy, tmp_path / "good")
    assert status == 0, log
    assert promoted is not None, log
    assert promoted["decision"] == "promoted", promoted
    assert alias(healthy) == (version_good, {})
    outcomes = finished([s.arn for s in stream.sent], timeout=600)
    assert all(json.loads(o["Result"])["success"] is True for o in outcomes.values())
    apply_with(releases={FUNCTION: HEALTHY_CANARY})
    assert not plan_has_changes(RELEASED, releases={FUNCTION: HEALTHY_CANARY})

    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps({"withdrawn": withdrawn, "promoted": promoted}, indent=2) + "\n")
    print(f"\n{table(withdrawn)}\n{table(promoted)}")
