"""The IAM policy check (scripts/lint/iam_policies.py) on good and bad documents; the e2e test runs it on every
policy the local environment deploys."""

import json
import urllib.parse

import pytest
from scripts.lint.iam_policies import (
    STAR_RESOURCE_ACTIONS,
    action_problem,
    findings,
    has_resource_level_permissions,
)

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:dev-order-processor"


def policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


# What the project deploys today (function_base + durable_function + sqs_esm_pipeline + a worker's table access).
GOOD = policy(
    {
        "Sid": "OwnLogGroup",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/dev-order-processor:*"],
    },
    {
        "Sid": "XRayWrite",
        "Effect": "Allow",
        "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
        "Resource": ["*"],
    },
    {
        "Sid": "DurableExecutionState",
        "Effect": "Allow",
        "Action": ["lambda:CheckpointDurableExecution", "lambda:GetDurableExecutionState"],
        "Resource": [f"{FUNCTION}:*"],
    },
    {"Sid": "ChainedInvoke", "Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": [FUNCTION]},
    {
        "Sid": "PollSourceQueue",
        "Effect": "Allow",
        "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
        "Resource": "arn:aws:sqs:us-east-1:123456789012:dev-data-processing-queue",
    },
    {
        "Sid": "InventoryTable",
        "Effect": "Allow",
        "Action": ["dynamodb:ConditionCheckItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:GetItem"],
        "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/dev-inventory",
    },
)
TRUST = policy(
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}},
)


def messages(document: dict | str) -> list[str]:
    return [f.message for f in findings(document)]


def test_the_project_policies_and_trust_policy_are_clean():
    assert findings(GOOD, "good") == []
    assert findings(TRUST, "trust") == []


def test_documents_as_the_iam_api_returns_them_url_encoded_or_as_text():
    assert findings(json.dumps(GOOD)) == []
    assert findings(urllib.parse.quote(json.dumps(GOOD))) == []
    bad = policy({"Effect": "Allow", "Action": "lambda:InvokeFunctions", "Resource": FUNCTION})
    assert len(findings(urllib.parse.quote(json.dumps(bad)))) == 1


@pytest.mark.parametrize(
    ("action", "problem"),
    [
        ("lambda:InvokeFunctions", "lambda has no such action"),
        ("lambda:CheckpointDurableExecutions", "lambda has no such action"),
        ("lamda:InvokeFunction", "unknown service prefix 'lamda'"),
        ("InvokeFunction", "not of the form service:Action"),
        ("dynamodb:Frobnicate*", "the wildcard matches no dynamodb action"),
    ],
)
def test_unknown_services_and_actions_are_found(action, problem):
    (finding,) = findings(policy({"Sid": "Typo", "Effect": "Allow", "Action": [action], "Resource": FUNCTION}))
    assert finding.statement == "Typo"
    assert problem in finding.message


@pytest.mark.parametrize(
    "action",
    [
        "lambda:InvokeFunction",
        "LAMBDA:invokefunction",  # IAM compares service prefixes and action names case-insensitively
        "lambda:GetDurableExecution*",
        "lambda:SendDurableExecutionCallbackSuccess",
        "lambda:StopDurableExecution",
        "dynamodb:Get*",
    ],
)
def test_real_actions_and_matching_wildcards_pass(action):
    assert action_problem(action) is None


def test_a_deny_statement_is_checked_for_real_actions_but_may_name_every_resource():
    assert findings(policy({"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"})) == []
    assert messages(policy({"Effect": "Deny", "Action": "s3:DeleteBuckets", "Resource": "*"})) == [
        "'s3:DeleteBuckets': s3 has no such action"
    ]


def test_a_star_resource_is_refused_unless_aws_requires_it():
    (finding,) = findings(
        policy(
            {
                "Sid": "TooWide",
                "Effect": "Allow",
                "Action": ["xray:PutTraceSegments", "dynamodb:PutItem"],
                "Resource": ["arn:aws:dynamodb:us-east-1:123456789012:table/t", "*"],
            }
        )
    )
    assert finding.statement == "TooWide"
    assert finding.message.startswith('dynamodb:PutItem on Resource "*"')
    # A resource that merely contains a wildcard is scoped, not "*".
    assert findings(policy({"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": f"{FUNCTION}:*"})) == []


def test_grants_by_exclusion_and_every_action_are_refused():
    assert messages(policy({"Effect": "Allow", "Action": "*", "Resource": FUNCTION})) == [
        'Action "*" grants every action of every service'
    ]
    assert messages(policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": FUNCTION})) == [
        "NotAction in an Allow statement grants everything it does not name"
    ]
    assert messages(policy({"Effect": "Allow", "Action": "lambda:InvokeFunction", "NotResource": FUNCTION})) == [
        "NotResource in an Allow statement grants every resource it does not name"
    ]


def test_statements_without_a_sid_are_named_by_position():
    bad = policy(GOOD["Statement"][0], {"Effect": "Allow", "Action": "sqs:ReceiveMessages", "Resource": "*"})
    labels = {f.statement for f in findings(bad, "dev-role/dev-policy")}
    assert labels == {"statement 1"}
    assert str(findings(bad, "dev-role/dev-policy")[0]).startswith("dev-role/dev-policy [statement 1]: ")


@pytest.mark.parametrize("action", sorted(STAR_RESOURCE_ACTIONS))
def test_the_allow_list_names_only_real_actions_without_resource_level_permissions(action):
    assert action_problem(action) is None
    assert not has_resource_level_permissions(action), f"{action} can be scoped: name its resources instead"
    assert STAR_RESOURCE_ACTIONS[action].strip()


def test_actions_with_resource_level_permissions_are_recognised():
    assert has_resource_level_permissions("lambda:InvokeFunction")
    assert has_resource_level_permissions("lambda:CheckpointDurableExecution")
