"""Every IAM policy the project deploys, read back from the applied local environment (policy documents hold ARNs,
so they are only known after an apply), names real actions of real services and grants Resource "*" only where
AWS requires it (scripts/lint/iam_policies.py, checked against the Service Authorization Reference data)."""

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from scripts.lint.iam_policies import as_document, findings

from tests.e2e.local_stack import deployed_outputs, stack  # noqa: F401 - fixtures `outputs` and `stack`

pytestmark = pytest.mark.e2e


def role_policies(iam: Any, role_name: str) -> Iterator[tuple[str, Any]]:
    """(where, document) for a role's trust policy, inline policies and attached managed policies."""
    role = iam.get_role(RoleName=role_name)["Role"]
    yield f"{role_name} (trust policy)", role["AssumeRolePolicyDocument"]
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=role_name):
        for name in page["PolicyNames"]:
            yield f"{role_name}/{name}", iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role_name):
        for attached in page["AttachedPolicies"]:
            arn = attached["PolicyArn"]
            version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
            document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
            yield f"{role_name} -> {arn}", document


def test_every_deployed_policy_names_real_actions_and_no_needless_star_resource(outputs):
    iam = boto3.client("iam")  # the private emulator: conftest sets AWS_ENDPOINT_URL and test credentials
    roles = sorted(role["RoleName"] for page in iam.get_paginator("list_roles").paginate() for role in page["Roles"])
    function_roles = {key: f"{name}-role" for key, name in outputs["function_names"].items()}
    assert set(function_roles.values()) <= set(roles), "every function's execution role is deployed"

    documents = dict(item for role in roles for item in role_policies(iam, role))

    # The check must have seen what the project deploys, not an empty account.
    for key, role in function_roles.items():
        inline = [where for where in documents if where.startswith(f"{role}/")]
        assert len(inline) == (2 if key == "durable-data-pipeline" else 1), (key, inline)  # + the queue poller
    assert all(as_document(document).get("Statement") for document in documents.values()), documents
    problems = [str(finding) for where, document in documents.items() for finding in findings(document, where)]
    assert problems == []
