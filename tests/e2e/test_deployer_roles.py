"""The deployer roles (terraform/deployer) are sufficient and no wider: the whole stack applied as the apply role,
planned again as the plan role (every resource read back, no change), and the plan role refused every write.

Runs in the session's emulator under an environment name of its own (the roles are scoped to their environment's
name prefix, so the session's `local` stack is out of their reach), as GitHub Actions runs: each role assumed with
a GitHub-shaped OIDC token whose subject the role trusts (scripts/deployer_credentials.py).
"""

import configparser
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.e2e.conftest import ENDPOINT, ROOT
from tests.e2e.local_stack import deployed_outputs, stack  # noqa: F401 - fixtures `outputs` and `stack`

pytestmark = pytest.mark.e2e
ENVIRONMENT = "deployer"  # the stack's and the roles' name prefix in this test
STATE_BUCKET = "deployer-state"
TFVARS = ROOT / "environments" / "local" / "terraform.tfvars"
TF_VARS = [
    f"-var-file={TFVARS}",
    f"-var=dist_dir={ROOT}/build/dist",
    "-var=emulator=true",
    f"-var=local_durable_endpoint={ENDPOINT}",
    f"-var=environment={ENVIRONMENT}",
    f"-var=workloads_dir={ROOT}/functions",  # the stack runs from a copy here: the declarations by absolute path
]


def terraform(directory: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["terraform", f"-chdir={directory}", *args, *(["-input=false"] if args[0] != "output" else []), "-no-color"],
        env={k: v for k, v in env.items() if not k.startswith("TF_CLI_ARGS")},
        capture_output=True,
        text=True,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def as_profile(profile: str, credentials: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") or k in ("AWS_ENDPOINT_URL", "AWS_REGION")}
    return {
        **base,
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_PROFILE": profile,
        "AWS_DEFAULT_REGION": "us-east-1",
    }


@pytest.fixture(scope="module")
def roles(tmp_path_factory: pytest.TempPathFactory, outputs: dict[str, Any]) -> dict[str, Any]:
    """The deployer roles of ENVIRONMENT applied to the emulator (as the account root), with their credentials."""
    work = tmp_path_factory.mktemp("deployer")
    boto3.client("s3").create_bucket(Bucket=STATE_BUCKET)  # the state bucket the roles are scoped to
    env = {**os.environ, "TF_DATA_DIR": str(work / "deployer.data")}
    ok(terraform(ROOT / "terraform" / "deployer", "init", f"-backend-config=path={work}/deployer.tfstate", env=env))
    ok(
        terraform(
            ROOT / "terraform" / "deployer",
            "apply",
            "-auto-approve",
            f"-var=environment={ENVIRONMENT}",
            "-var=account_id=000000000000",
            "-var=aws_region=us-east-1",
            f"-var=state_bucket={STATE_BUCKET}",
            "-var=state_key=local/terraform.tfstate",
            "-var=emulator=true",
            env=env,
        )
    )
    (work / "outputs.json").write_text(ok(terraform(ROOT / "terraform" / "deployer", "output", "-json", env=env)))
    credentials = work / "credentials"
    for role in ("plan", "apply"):
        subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "python"),
                str(ROOT / "scripts" / "deployer_credentials.py"),
                "--role",
                role,
                "--outputs",
                str(work / "outputs.json"),
                "--out",
                str(work / f"credentials-{role}"),
            ],
            check=True,
        )
    credentials.write_text("".join((work / f"credentials-{r}").read_text() for r in ("plan", "apply")))
    document = json.loads((work / "outputs.json").read_text())
    return {"work": work, "credentials": credentials, **{k: v["value"] for k, v in document.items()}}


def test_the_apply_role_applies_everything_and_the_plan_role_reads_it_back(roles):
    work = roles["work"]
    stack_dir = work / "stack-copy"
    shutil.copytree(
        ROOT / "build" / "terraform" / "e2e",
        stack_dir,
        ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", "tf_resources.json"),
    )
    directory = stack_dir / "stack"
    apply_env = {**as_profile("apply", roles["credentials"]), "TF_DATA_DIR": str(work / "stack.data")}
    ok(terraform(directory, "init", env=apply_env))
    ok(terraform(directory, "apply", "-auto-approve", *TF_VARS, env=apply_env))

    plan_env = {**as_profile("plan", roles["credentials"]), "TF_DATA_DIR": str(work / "stack.data")}
    planned = terraform(directory, "plan", "-detailed-exitcode", "-lock=false", *TF_VARS, env=plan_env)
    assert planned.returncode == 0, planned.stdout[-3000:] + planned.stderr[-3000:]  # 0: read back, no change

    # The plan role cannot apply: a change (a new log retention) is refused at its first write.
    refused = terraform(
        directory, "apply", "-auto-approve", "-lock=false", *TF_VARS, "-var=log_retention_days=3", env=plan_env
    )
    assert refused.returncode != 0
    assert "AccessDenied" in refused.stdout + refused.stderr, refused.stderr[-2000:]


def test_the_plan_role_writes_nothing(roles, outputs):
    parser = configparser.ConfigParser()
    parser.read(roles["credentials"])
    keys = dict(parser["plan"])

    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=ENDPOINT, region_name="us-east-1", **keys)

    writes = {
        "s3:PutObject": lambda: client("s3").put_object(Bucket=STATE_BUCKET, Key="local/terraform.tfstate", Body=b"{}"),
        "lambda:UpdateFunctionConfiguration": lambda: client("lambda").update_function_configuration(
            FunctionName=f"{ENVIRONMENT}-tax-worker", Timeout=3
        ),
        "dynamodb:PutItem": lambda: client("dynamodb").put_item(
            TableName=f"{ENVIRONMENT}-inventory", Item={"pk": {"S": "probe"}}
        ),
        "sqs:SetQueueAttributes": lambda: client("sqs").set_queue_attributes(
            QueueUrl=f"{ENDPOINT}/000000000000/{ENVIRONMENT}-data-processing-queue", Attributes={"DelaySeconds": "1"}
        ),
        "iam:PutRolePolicy": lambda: client("iam").put_role_policy(
            RoleName=f"{ENVIRONMENT}-tax-worker-role", PolicyName="probe", PolicyDocument="{}"
        ),
    }
    for action, write in writes.items():
        with pytest.raises(ClientError) as denied:
            write()
        assert denied.value.response["Error"]["Code"] in {"AccessDenied", "AccessDeniedException"}, (
            action,
            denied.value,
        )
