"""Release safety on the local environment: `make rollback` moves the live alias back one version, and the
version it leaves stays published (executions in flight keep replaying on the version they started on)."""

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
from scripts import workloads

from tests.e2e.local_stack import deployed_outputs, stack  # noqa: F401 - fixtures `outputs` and `stack`

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
