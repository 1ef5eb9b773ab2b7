"""A bad value of the root's variables fails at plan time with a message naming the variable.

Runs `terraform plan` in dev's offline working copy (prepared by `make plan ENV=dev EMULATOR=1`, which
`make test-plans` runs first) with one bad -var each; validation fails before anything would be planned.
"""

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WORK = REPO / "build" / "terraform" / "dev-emulator"


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("local_durable_endpoint=http://checkpoints.example.com:4566", "local_durable_endpoint may only be set"),
        ("order_processing={confirmation_delay_seconds=0}", "order_processing.confirmation_delay_seconds must"),
        ("order_processing={confirmation_delay_seconds=1.5}", "order_processing.confirmation_delay_seconds must"),
        ('fault_injection={worker="payment",mode="transient"}', "fault_injection may only be set in the local"),
        ('fault_injection={worker="shipping",mode="flaky"}', "fault_injection.mode must be transient, permanent"),
        ('fault_injection={worker="shipping",mode="slow",delay_seconds=45}', "fault_injection.delay_seconds must"),
        ('releases={order-processor={strategy="blue-green"}}', "releases.<function>.strategy must be all-at-once"),
        ('releases={orders={strategy="canary"}}', "releases keys must be durable functions: durable-data-pipeline,"),
        ('releases={order-processor={strategy="canary",canary_share=1}}', "releases.<function>.canary_share must"),
        ('releases={order-processor={strategy="canary",bake_seconds=5}}', "releases.<function>.bake_seconds must"),
    ],
)
def test_a_bad_value_fails_the_plan_naming_the_variable(assignment, message):
    if not (WORK / "stack").is_dir():
        pytest.skip("run `make plan ENV=dev EMULATOR=1` first (make test-plans does)")
    env = {
        **os.environ,
        "TF_DATA_DIR": str(WORK) + ".data",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # never reached: validation fails first
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
    }
    result = subprocess.run(
        [
            "terraform",
            f"-chdir={WORK / 'stack'}",
            "plan",
            "-input=false",
            "-no-color",
            f"-var-file={REPO / 'environments' / 'dev' / 'terraform.tfvars'}",
            f"-var=dist_dir={REPO / 'build' / 'dist'}",
            f"-var=workloads_dir={REPO / 'functions'}",  # as make passes it: validations may depend on the workloads
            "-var=emulator=true",
            f"-var={assignment}",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert result.returncode != 0
    assert "Invalid value for variable" in result.stderr
    assert message in " ".join(result.stderr.split())  # Terraform wraps long messages
