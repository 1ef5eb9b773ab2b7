"""The environment's customer managed key in the saved plans (docs/security.md, terraform/stack/environment_key.tf).

dev and prod (`make test-plans` writes their plans offline): one rotating key, used by every queue, table, log group
and durable function's DurableConfig, whose key policy names exactly the roles that use it. The local environment
(planned here from its tfvars in dev's offline working copy, as test_bad_tfvars does) has no key at all.
"""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.terraform_plan.test_plans import DURABLE, WORKERS, changes, durable_functions, env, load_plan, planned

__all__ = ["env"]  # the dev/prod fixture, shared with test_plans

REPO = Path(__file__).resolve().parents[2]
WORK = REPO / "build" / "terraform" / "dev-emulator"
ENCRYPTED = ("aws_sqs_queue", "aws_dynamodb_table", "aws_cloudwatch_log_group")


def key_policy(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (key,) = [rc for rc in plan["resource_changes"] if rc["type"] == "aws_kms_key"]
    assert key["address"] == "module.environment_key[0].aws_kms_key.this"
    return {s["Sid"]: s for s in json.loads(key["change"]["after"]["policy"])["Statement"]}


def account(plan: dict[str, Any]) -> str:
    return str(plan["variables"]["account_id"]["value"])


def role_arn(plan: dict[str, Any], name: str) -> str:
    return f"arn:aws:iam::{account(plan)}:role/{name}"


def key_attribute(rc: dict[str, Any]) -> Any:
    """(value, unknown) of the attribute naming a resource's KMS key."""
    after, unknown = rc["change"]["after"], rc["change"]["after_unknown"]
    if rc["type"] == "aws_sqs_queue":
        return after.get("kms_master_key_id"), unknown.get("kms_master_key_id", False)
    if rc["type"] == "aws_dynamodb_table":
        sse_unknown = unknown.get("server_side_encryption", [{}])[0]
        return after["server_side_encryption"][0].get("kms_key_arn"), sse_unknown.get("kms_key_arn", False)
    return after.get("kms_key_id"), unknown.get("kms_key_id", False)


def test_one_rotating_key_per_environment_with_its_alias(env):
    plan = load_plan(env)
    (key,) = planned(env, "aws_kms_key")
    assert key["enable_key_rotation"] is True
    assert key["customer_master_key_spec"] == "SYMMETRIC_DEFAULT"
    assert key["deletion_window_in_days"] == plan["variables"]["environment_key"]["value"]["deletion_window_days"]
    assert key["tags"]["Environment"] == env  # the deployer roles find the environment's key by this tag
    (alias,) = planned(env, "aws_kms_alias")
    assert alias["name"] == f"alias/{env}-durable-deploy"


def test_every_queue_table_and_log_group_is_encrypted_with_the_key(env):
    """The key's ARN is known only after apply; each of these names a key that is unknown at plan time, and the one
    unknown key of the plan is the environment's (the root wires every one to local.environment_key_arn)."""
    counts = {}
    for resource_type in ENCRYPTED:
        rcs = changes(env, resource_type)
        counts[resource_type] = len(rcs)
        for rc in rcs:
            value, unknown = key_attribute(rc)
            assert unknown is True, f"{rc['address']} is not encrypted with the environment's key"
            assert value is None, f"{rc['address']} names another key: {value}"
            if resource_type == "aws_sqs_queue":
                assert rc["change"]["after"].get("sqs_managed_sse_enabled") is not True, rc["address"]
    assert counts == {
        "aws_sqs_queue": 2 + len(DURABLE),  # the pipeline's queue and DLQ, a DLQ per durable function
        "aws_dynamodb_table": 2,
        "aws_cloudwatch_log_group": len(DURABLE) + len(WORKERS),
    }

    root = load_plan(env)["configuration"]["root_module"]
    for call in ("durable", "worker"):
        assert "local.environment_key_arn" in root["module_calls"][call]["expressions"]["kms_key"]["references"]
    queue = root["module_calls"]["data_processing_queue"]["expressions"]["kms_master_key_id"]
    assert "local.environment_key_arn" in queue["references"]
    (tables,) = [r for r in root["resources"] if r["address"] == "aws_dynamodb_table.this"]
    assert (
        "local.environment_key_arn" in tables["expressions"]["server_side_encryption"][0]["kms_key_arn"]["references"]
    )


def test_every_durable_function_encrypts_its_payloads_with_the_key(env):
    for name, template in durable_functions(env).items():
        durable_config = template["Resources"]["Function"]["Properties"]["DurableConfig"]
        assert durable_config["KMSKeyArn"] == {"Ref": "KmsKeyArn"}, name
        assert template["Parameters"]["KmsKeyArn"]["Type"] == "String", name
    for rc in changes(env, "aws_cloudformation_stack"):
        assert rc["change"]["after_unknown"]["parameters"] is True  # the key's ARN, among others, known at apply
    module = load_plan(env)["configuration"]["root_module"]["module_calls"]["durable"]["module"]
    (stack,) = [r for r in module["resources"] if r["address"] == "aws_cloudformation_stack.this"]
    assert "local.parameters" in stack["expressions"]["parameters"]["references"]


def test_the_key_policy_names_exactly_the_roles_that_use_it(env):
    plan = load_plan(env)
    policy = key_policy(plan)
    roles = {r["name"] for r in planned(env, "aws_iam_role")}

    durable_roles = {role_arn(plan, f"{env}-{name}-role") for name in DURABLE}
    assert set(policy["DurableFunctions"]["Condition"]["ArnEquals"]["aws:PrincipalArn"]) == durable_roles
    assert policy["DurableFunctions"]["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert set(policy["DurableFunctions"]["Condition"]["StringEquals"]["kms:ViaService"]) == {
        "lambda.us-east-1.amazonaws.com",
        "sqs.us-east-1.amazonaws.com",
    }

    # The workers that use a table are those whose environment names one (INVENTORY_TABLE_NAME, ...).
    table_workers = {
        fn["function_name"]
        for fn in planned(env, "aws_lambda_function")
        if any(k.endswith("_TABLE_NAME") for k in fn["environment"][0]["variables"])
    }
    assert table_workers, "no worker uses a table?"
    assert set(policy["TableUsers"]["Condition"]["ArnEquals"]["aws:PrincipalArn"]) == {
        role_arn(plan, f"{w}-role") for w in table_workers
    }
    assert policy["TableUsers"]["Action"] == ["kms:Decrypt"]
    assert policy["TableUsers"]["Condition"]["StringEquals"]["kms:ViaService"] == ["dynamodb.us-east-1.amazonaws.com"]

    named = {
        arn for s in policy.values() for arn in s.get("Condition", {}).get("ArnEquals", {}).get("aws:PrincipalArn", [])
    }
    assert {arn.rsplit("/", 1)[1] for arn in named} <= roles, "the policy names a role the plan does not create"
    # Every other function role (workers without a table) is named nowhere.
    assert not named & {role_arn(plan, f"{env}-{w}-role") for w in WORKERS if f"{env}-{w}" not in table_workers}


def test_the_key_policy_allows_nobody_else(env):
    plan = load_plan(env)
    policy = key_policy(plan)
    root = f"arn:aws:iam::{account(plan)}:root"
    for sid, statement in policy.items():
        assert statement["Effect"] == "Allow"
        if sid == "CloudWatchLogsEncryptsTheLogGroups":
            assert statement["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
        else:
            assert statement["Principal"] == {"AWS": root}, sid  # never "*"; roles are narrowed by condition
        crypto = {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt*", "kms:Encrypt*"}
        if crypto & set(statement["Action"]):
            conditions = statement.get("Condition", {})
            via = conditions.get("StringEquals", {}).get("kms:ViaService")
            context = conditions.get("ArnLike", {}) | conditions.get("StringLike", {})
            assert via or context, f"{sid}: cryptographic use without a service or encryption-context condition"
    administration = set(policy["AccountAdministersTheKeyThroughIAM"]["Action"])
    assert not administration & {"kms:*", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:CreateGrant"}
    assert policy["AccountAttachesTheKeyToAWSResources"]["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}


def test_cloudwatch_logs_may_use_the_key_for_exactly_the_environments_log_groups(env):
    plan = load_plan(env)
    pattern = key_policy(plan)["CloudWatchLogsEncryptsTheLogGroups"]["Condition"]["ArnLike"][
        "kms:EncryptionContext:aws:logs:arn"
    ]
    for group in planned(env, "aws_cloudwatch_log_group"):
        assert fnmatch.fnmatchcase(f"arn:aws:logs:us-east-1:{account(plan)}:log-group:{group['name']}", pattern)
    other = "prod" if env == "dev" else "dev"
    assert not fnmatch.fnmatchcase(f"arn:aws:logs:us-east-1:{account(plan)}:log-group:/aws/lambda/{other}-x", pattern)


@pytest.fixture(scope="module")
def local_plan(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The local environment's plan, from its own tfvars, offline (nothing is reached: the plan starts empty)."""
    if not (WORK / "stack").is_dir():
        pytest.skip("run `make plan ENV=dev EMULATOR=1` first (make test-plans does)")
    out = tmp_path_factory.mktemp("local-plan") / "local.tfplan"
    env = {
        **os.environ,
        "TF_DATA_DIR": str(WORK) + ".data",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # never reached
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
    }
    terraform = ["terraform", f"-chdir={WORK / 'stack'}"]
    planning = subprocess.run(
        [
            *terraform,
            "plan",
            "-input=false",
            "-no-color",
            "-lock=false",
            f"-out={out}",
            f"-var-file={REPO / 'environments' / 'local' / 'terraform.tfvars'}",
            f"-var=dist_dir={REPO / 'build' / 'dist'}",
            f"-var=workloads_dir={REPO / 'functions'}",
        ],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert planning.returncode == 0, planning.stderr
    shown = subprocess.run(
        [*terraform, "show", "-json", str(out)], env=env, check=True, capture_output=True, timeout=300
    )
    return dict(json.loads(shown.stdout))


def test_the_local_environment_has_no_key(local_plan):
    assert local_plan["variables"]["environment"]["value"] == "local"
    rcs = local_plan["resource_changes"]
    assert not [rc["address"] for rc in rcs if rc["type"].startswith("aws_kms_")]
    for rc in rcs:
        if rc["type"] in ENCRYPTED:
            value, unknown = key_attribute(rc)
            assert value is None, rc["address"]
            # DynamoDB's AWS managed key: the provider reads its ARN back after apply; nothing else names a key.
            assert unknown is (rc["type"] == "aws_dynamodb_table"), rc["address"]
        if rc["type"] == "aws_sqs_queue":
            assert rc["change"]["after"]["sqs_managed_sse_enabled"] is True, rc["address"]
        if rc["type"] == "aws_cloudformation_stack":
            template = json.loads(rc["change"]["after"]["template_body"])
            assert "KMSKeyArn" not in template["Resources"]["Function"]["Properties"]["DurableConfig"]
            assert "KmsKeyArn" not in template["Parameters"]
