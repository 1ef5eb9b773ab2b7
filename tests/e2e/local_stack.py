"""The ``stack`` fixture: pytest-terraform applying the local environment (registered once, imported by tests).

It is registered here rather than in conftest.py because pytest-terraform resolves its settings when pytest is
configured, after conftest modules load. The emulator is discarded after the session, so tearing the stack down
would only cost time.
"""

import json
import os
import subprocess
from functools import cache
from typing import Any

import pytest
from pytest_terraform import terraform
from pytest_terraform.tf import TerraformTestApi

from tests.e2e.conftest import local_processes

# pytest-terraform 0.7.0 bug: a session fixture requested from a second test module is loaded from the state it
# saved with ``TerraformTestApi.load``, which does not exist; ``from_file`` is the loader it means.
if not hasattr(TerraformTestApi, "load"):
    TerraformTestApi.load = TerraformTestApi.from_file  # type: ignore[attr-defined]

terraform("stack", scope="session", replay=False, teardown=terraform.TEARDOWN_OFF)


@cache
def _synced_once() -> None:
    """Sync the engine and the poller once per session. Each test module that imports the fixture below gets its own
    copy of it, and a second sync would restart the poller under the messages of a test in progress."""
    local_processes("sync")


# The runner that applied the session's stack. Only the first test module's copy of the fixture gets the state with
# its runner; the others load the saved state without one.
_runner: list[Any] = []


def terraform_runner() -> Any:
    """pytest-terraform's runner of this session's stack, to apply it again with other variables (a release)."""
    if not _runner:
        pytest.fail("the stack fixture was loaded without its Terraform runner")
    return _runner[0]


@pytest.fixture(scope="session", name="outputs")
def deployed_outputs(stack: Any) -> dict[str, Any]:
    """The local environment's root outputs, as applied by pytest-terraform, with the durable engine and the ESM
    poller synced to what was deployed (as `make apply ENV=local` does)."""
    if stack.terraform is not None and not _runner:
        _runner.append(stack.terraform)
    _synced_once()
    return {name: entry["value"] for name, entry in stack.outputs.items()}


PLAN_ARGS = "TF_CLI_ARGS_plan"  # how conftest hands the local tfvars to pytest-terraform's plans


def _overrides(variables: dict[str, Any]) -> str:
    """``-var`` arguments for root variables, values as JSON (valid HCL), on top of the local tfvars."""
    return " ".join(f"-var='{name}={json.dumps(value)}'" for name, value in variables.items())


def apply_with(**variables: Any) -> dict[str, Any]:
    """Apply the session's local environment again with these root variables set (a release), as `make apply` would:
    Terraform plans and applies, then the local engine and poller are synced to what was deployed. The outputs."""
    base = os.environ[PLAN_ARGS]
    os.environ[PLAN_ARGS] = f"{base} {_overrides(variables)}"
    try:
        state = terraform_runner().apply()
    finally:
        os.environ[PLAN_ARGS] = base
    local_processes("sync")
    return {name: entry["value"] for name, entry in state.outputs.items()}


def plan_has_changes(targets: list[str], **variables: Any) -> bool:
    """Whether a plan of ``targets`` (resource addresses, with what they depend on) in the session's stack, with these
    root variables, would change anything (-detailed-exitcode)."""
    runner = terraform_runner()
    args = [*runner._get_cmd_args("plan", output=""), "-detailed-exitcode", "-lock=false"]
    args += [f"-target={target}" for target in targets]
    base = os.environ[PLAN_ARGS]
    env = {**os.environ, PLAN_ARGS: f"{base} {_overrides(variables)}", "TF_DATA_DIR": runner.work_dir}
    cwd = runner.module_dir or runner.work_dir
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 2):
        pytest.fail(f"terraform plan failed: {done.stdout[-3000:]}")
    return done.returncode == 2
