"""End-to-end wiring: a private local environment (emulator, durable engine, Lambda API front) on its own port,
the local Terraform environment applied to it by pytest-terraform, then the engine and the ESM poller synced to
what was deployed (local/processes.sh).

The front listens on E2E_EMULATOR_PORT (default 4599; the emulator and the engine on +100 and +200) so the tests
never touch a developer's running local environment. ``make test-e2e`` prepares the Terraform working copy
(build/terraform/e2e/stack) and passes it with --tf-mod-dir; the tfvars of environments/local reach every plan and
destroy through TF_CLI_ARGS_*, with the checkpoint endpoint of the durable handlers pointed at this front.
"""

import json
import os
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PORT = os.environ.get("E2E_EMULATOR_PORT", "4599")
ENDPOINT = f"http://127.0.0.1:{PORT}"
STATE_DIR = ROOT / "build" / f"e2e-local-{PORT}"
TF_ARGS = (
    f"-var-file={ROOT}/environments/local/terraform.tfvars -var=dist_dir={ROOT}/build/dist -var=emulator=true "
    f"-var=workloads_dir={ROOT}/functions "
    f"-var=local_durable_endpoint={ENDPOINT}"
)
PROCESS_ENV = {
    "LOCAL_PORT": PORT,
    "LOCAL_STATE_DIR": str(STATE_DIR),
    "LOCAL_TF_STATE": str(STATE_DIR / "unused.tfstate"),  # pytest-terraform keeps the state in its work dir
}
os.environ.update(
    {
        "AWS_ENDPOINT_URL": ENDPOINT,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "TF_CLI_ARGS_plan": TF_ARGS,
        "TF_CLI_ARGS_destroy": TF_ARGS,
    }
)
os.environ.pop("AWS_PROFILE", None)


def local_processes(command: str) -> None:
    """Run local/processes.sh COMMAND for this test session's private local environment."""
    subprocess.run([str(ROOT / "local" / "processes.sh"), command], env={**os.environ, **PROCESS_ENV}, check=True)


def _answers() -> bool:
    try:
        with urllib.request.urlopen(f"{ENDPOINT}/_ministack/health", timeout=2):
            return True
    except OSError:
        return False


def authorization() -> dict[str, Any]:
    """The emulator's IAM counters (local/emulator.py): enforcement on, evaluations and denials by action."""
    emulator = f"http://127.0.0.1:{int(PORT) + 100}"  # local/processes.sh: the emulator listens on the front's + 100
    with urllib.request.urlopen(f"{emulator}/_local/authorization", timeout=5) as answer:
        counters: dict[str, Any] = json.loads(answer.read())
    return counters


@pytest.fixture(scope="session", autouse=True)
def local_environment() -> Iterator[str]:
    """A fresh local environment with IAM enforced for this test session, every process stopped at the end.

    The emulator's IAM counters of the whole session are kept in its state directory (authorization.json)."""
    if _answers():
        pytest.fail(f"port {PORT} is already serving a local environment; set E2E_EMULATOR_PORT to a free port")
    local_processes("down")  # leftovers of an interrupted run, by their pid files
    local_processes("up")
    try:
        assert authorization()["auth"], "the local environment must enforce IAM (local/processes.sh: AUTH=true)"
        yield ENDPOINT
    finally:
        try:
            (STATE_DIR / "authorization.json").write_text(json.dumps(authorization(), indent=2) + "\n")
        finally:
            local_processes("down")
