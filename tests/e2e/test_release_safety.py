"""Release safety on the local environment: `make rollback` moves the live alias back one version, and the
version it leaves stays published (executions in flight keep replaying on the version they started on)."""

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from scripts import workloads

from tests.e2e.local_stack import apply_with, deployed_outputs, stack  # noqa: F401 - fixtures `outputs` and `stack`

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def rollback(outputs_file: Path, function: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "rollback.py"), "--outputs", str(outputs_file), "--function", function],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def outputs_file(outputs: dict[str, Any], tmp_path: Path) -> Path:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps({name: {"value": value} for name, value in outputs.items()}))
    return path


def test_rollback_points_live_back_at_the_previous_version(outputs, outputs_file):
    lambda_client = boto3.client("lambda")
    name = outputs["function_names"]["parallel-math"]
    deployed = lambda_client.get_alias(FunctionName=name, Name="live")["FunctionVersion"]

    refused = rollback(outputs_file, "parallel-math")
    assert refused.returncode != 0
    assert "no earlier version" in refused.stderr

    # A deploy: new configuration, a new published version, the alias moved to it.
    lambda_client.update_function_configuration(FunctionName=name, Description=f"release {time.time()}")
    new = lambda_client.publish_version(FunctionName=name)["Version"]
    lambda_client.update_alias(FunctionName=name, Name="live", FunctionVersion=new)
    assert int(new) > int(deployed)

    result = rollback(outputs_file, "parallel-math")

    assert result.returncode == 0, result.stderr
    assert f"moved from version {new} back to version {deployed}" in result.stdout
    assert lambda_client.get_alias(FunctionName=name, Name="live")["FunctionVersion"] == deployed
    published = {v["Version"] for v in lambda_client.list_versions_by_function(FunctionName=name)["Versions"]}
    assert {deployed, new} <= published
    assert workloads.invoke(outputs, "parallel-math", {"num1": 10, "num2": 5})["Add"] == 15


def test_rollback_of_an_unknown_function_names_the_valid_ones(outputs_file):
    result = rollback(outputs_file, "no-such-function")
    assert result.returncode != 0
    assert "order-processor" in result.stderr


def release(**order_processing: Any) -> dict[str, Any]:
    """Apply the local environment again with other order_processing settings (a release)."""
    return apply_with(order_processing=order_processing)


def wait_for(predicate: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def invoked_versions(outputs: dict[str, Any], execution_arn: str) -> dict[str, str]:
    """Worker -> the function version its chained invoke named, from the execution's history."""
    versions = {}
    for event in workloads.history_events(outputs, execution_arn):
        details = event.get("ChainedInvokeStartedDetails")
        if details:
            versions[event["Name"].removeprefix("invoke-")] = details["FunctionName"].rsplit(":", 1)[-1]
    return versions


def test_an_execution_in_flight_finishes_on_its_release_while_new_ones_run_the_next(outputs, outputs_file):
    lambda_client = boto3.client("lambda")
    names = outputs["function_names"]
    order = json.loads((ROOT / "examples" / "orders" / "sample-ca.json").read_text())

    # Release N: the orchestrator waits 20 s before confirming.
    release_n = release(confirmation_delay_seconds=20)
    version_n = lambda_client.get_alias(FunctionName=names["order-processor"], Name="live")["FunctionVersion"]
    workers_n = {
        key.removesuffix("_FUNCTION").lower(): value
        for key, value in lambda_client.get_function_configuration(
            FunctionName=names["order-processor"], Qualifier=version_n
        )["Environment"]["Variables"].items()
        if key.endswith("_FUNCTION")
    }
    in_flight = lambda_client.invoke(
        FunctionName=release_n["order_processor_alias_arn"],
        InvocationType="Event",
        DurableExecutionName=f"release-n-{uuid.uuid4().hex[:8]}",
        Payload=json.dumps({**order, "orderId": f"ORD-REL-N-{uuid.uuid4().hex[:6]}"}).encode(),
    )
    arn_n = in_flight["DurableExecutionArn"]
    assert in_flight["ExecutedVersion"] == version_n
    wait_for(
        lambda: any(e["EventType"] == "WaitStarted" for e in workloads.history_events(release_n, arn_n)),
        120,
        "the order of release N to suspend in its durable wait",
    )

    # Release N+1, applied while that order is suspended: a worker changes (payment limit) and so does the
    # orchestrator (its delay, and the payment worker version it pins).
    release_next = release(confirmation_delay_seconds=1, payment_amount_limit="9999.00")
    version_next = lambda_client.get_alias(FunctionName=names["order-processor"], Name="live")["FunctionVersion"]
    assert int(version_next) > int(version_n)
    after = lambda_client.invoke(
        FunctionName=release_next["order_processor_alias_arn"],
        Payload=json.dumps({**order, "orderId": f"ORD-REL-N1-{uuid.uuid4().hex[:6]}"}).encode(),
    )
    body = json.loads(after["Payload"].read())
    assert body["success"] is True, body
    assert after["ExecutedVersion"] == version_next
    versions_next = invoked_versions(release_next, after["DurableExecutionArn"])
    assert int(versions_next["payment"]) > int(workers_n["payment"].rsplit(":", 1)[-1])

    # The order in flight resumes on release N: N's orchestrator version, N's workers, and it confirms.
    finished = wait_for(
        lambda: (d := lambda_client.get_durable_execution(DurableExecutionArn=arn_n))["Status"] != "RUNNING" and d,
        120,
        "the order of release N to finish",
    )
    assert finished["Status"] == "SUCCEEDED", finished.get("Error")
    assert json.loads(finished["Result"])["result"]["totals"]["total"] == 130.68
    assert finished["FunctionArn"].rsplit(":", 1)[-1] == version_n
    assert invoked_versions(release_n, arn_n) == {w: arn.rsplit(":", 1)[-1] for w, arn in workers_n.items()}

    # Rolling the orchestrator back rolls its workers back with it: version N pins release N's workers.
    rolled = rollback(outputs_file, "order-processor")
    assert rolled.returncode == 0, rolled.stderr
    assert f"back to version {version_n}" in rolled.stdout
    again = lambda_client.invoke(
        FunctionName=release_next["order_processor_alias_arn"],
        Payload=json.dumps({**order, "orderId": f"ORD-REL-RB-{uuid.uuid4().hex[:6]}"}).encode(),
    )
    assert again["ExecutedVersion"] == version_n
    assert invoked_versions(release_n, again["DurableExecutionArn"]) == invoked_versions(release_n, arn_n)

    release()  # back to the session's configuration for the tests after this one
