"""dev and prod commands stop before Terraform, with one clear message, when the credentials cannot deploy there:
none at all, or another account's (scripts/check_credentials.py, run by `make plan|apply|deployer ENV=dev|prod`).

The wrong account is an STS answer from moto (account 123456789012), which is not the account dev's terraform.tfvars
names.
"""

import os
import subprocess
from pathlib import Path

from moto import mock_aws
from scripts import check_credentials

REPO = Path(__file__).resolve().parents[2]
WITHOUT_CREDENTIALS = {
    **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def make_plan(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-s", "plan", "ENV=dev"], cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=300
    )


def test_without_credentials_the_plan_stops_with_what_to_do():
    result = make_plan(WITHOUT_CREDENTIALS)
    assert result.returncode != 0
    message = " ".join(result.stderr.split())
    assert "no usable AWS credentials for ENV=dev (account 111111111111)" in message, message
    assert "AWS_PROFILE" in message
    assert "aws sso login" in message
    assert "make plan ENV=dev EMULATOR=1" in message
    assert "IMDS" not in message  # Terraform never ran


def test_credentials_of_another_account_stop_the_command_naming_both(monkeypatch, capsys):
    for name in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        code = check_credentials.main(
            ["--env", "dev", "--tfvars", str(REPO / "environments" / "dev" / "terraform.tfvars")]
        )
    message = " ".join(capsys.readouterr().err.split())
    assert code == 2
    assert "belong to account 123456789012" in message, message
    assert "ENV=dev lives in account 111111111111" in message, message
    assert "Nothing was planned or changed" in message
