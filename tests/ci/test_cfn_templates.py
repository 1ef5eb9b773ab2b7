"""scripts/lint/cfn_templates.py: every CloudFormation stack of a plan, child modules included, written per env."""

import json

import pytest
from scripts.lint.cfn_templates import main

TEMPLATE = {"Resources": {"Function": {"Type": "AWS::Lambda::Function", "Properties": {}}}}


def stack(name: str, body: object) -> dict:
    return {
        "address": f"module.durable[{name!r}].aws_cloudformation_stack.this",
        "type": "aws_cloudformation_stack",
        "values": {"name": name, "template_body": body},
    }


def plan(*resources: dict) -> dict:
    child = {"address": "module.durable", "resources": list(resources)}
    other = {"address": "aws_s3_bucket.artifacts", "type": "aws_s3_bucket", "values": {}}
    return {"planned_values": {"root_module": {"resources": [other], "child_modules": [child]}}}


def test_writes_each_stack_template_under_its_environment(tmp_path):
    plan_file = tmp_path / "plan-dev.json"
    plan_file.write_text(json.dumps(plan(stack("dev-a", json.dumps(TEMPLATE)), stack("dev-b", json.dumps(TEMPLATE)))))

    assert main(["--out", str(tmp_path / "cfn"), str(plan_file)]) == 0

    written = sorted(p.name for p in (tmp_path / "cfn" / "dev").iterdir())
    assert written == ["dev-a.json", "dev-b.json"]
    assert json.loads((tmp_path / "cfn" / "dev" / "dev-a.json").read_text()) == TEMPLATE


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("plan-dev.json", plan(), "no aws_cloudformation_stack"),
        ("plan-dev.json", plan(stack("dev-a", None)), "not known at plan time"),
        ("dev.json", plan(stack("dev-a", json.dumps(TEMPLATE))), "plan-<env>.json"),
    ],
)
def test_refuses_to_check_nothing(tmp_path, name, content, error):
    plan_file = tmp_path / name
    plan_file.write_text(json.dumps(content))
    with pytest.raises(SystemExit, match=error.replace("<", ".").replace(">", ".")):
        main(["--out", str(tmp_path / "cfn"), str(plan_file)])
