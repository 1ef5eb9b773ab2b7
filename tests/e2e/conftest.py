"""End-to-end wiring: a private ministack, the local environment applied to it by pytest-terraform, the bridge.

The emulator runs on its own port (E2E_EMULATOR_PORT, default 4599) so the tests never touch a developer's
running local environment. ``make test-e2e`` prepares the Terraform working copy (build/terraform/e2e/stack: the
stack with a local backend, as for ENV=local) and passes it with --tf-mod-dir; the tfvars of environments/local
reach every plan and destroy through TF_CLI_ARGS_*.
"""

import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PORT = os.environ.get("E2E_EMULATOR_PORT", "4599")
ENDPOINT = f"http://127.0.0.1:{PORT}"
TF_ARGS = f"-var-file={ROOT}/environments/local/terraform.tfvars -var=dist_dir={ROOT}/build/dist -var=emulator=true"
os.environ.update(
    {
        "AWS_ENDPOINT_URL": ENDPOINT,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "TF_CLI_ARGS_plan": TF_ARGS,
        "TF_CLI_ARGS_destroy": TF_ARGS,
        "BRIDGE_CODE_DIR": str(ROOT / "build" / "bridge-e2e"),
    }
)
os.environ.pop("AWS_PROFILE", None)


def _healthy() -> bool:
    try:
        with urllib.request.urlopen(f"{ENDPOINT}/_ministack/health", timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session", autouse=True)
def emulator() -> Iterator[str]:
    """A fresh ministack for this test session, stopped at the end."""
    if _healthy():
        pytest.fail(f"port {PORT} is already serving an emulator; set E2E_EMULATOR_PORT to a free port")
    log = (ROOT / "build" / "ministack-e2e.log").open("w")
    process = subprocess.Popen(
        [str(ROOT / ".venv-emulator" / "bin" / "ministack")],
        env={**os.environ, "GATEWAY_PORT": PORT, "BIND_HOST": "127.0.0.1"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the Lambda workers it spawns stop with it
    )
    try:
        deadline = time.monotonic() + 60
        while not _healthy():
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("ministack did not start; see build/ministack-e2e.log")
            time.sleep(0.5)
        yield ENDPOINT
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()
