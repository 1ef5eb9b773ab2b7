"""IAM enforced locally: what each principal may not do is refused, the way AWS refuses it.

Every probe acts as a real principal of the applied environment: a function's execution role (assumed at the
emulator, as Lambda assumes it), or an IAM user made here. Each denial must be an AccessDenied naming the action and
the principal; the ones the front authorizes (durable APIs, durable Invoke, chained invokes) name the resource too.
A control next to each probe shows the same principal allowed what its policy grants, so a probe cannot pass
because everything is refused.
"""

import json
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.e2e.local_stack import deployed_outputs, stack  # noqa: F401 - fixtures `outputs` and `stack`

pytestmark = pytest.mark.e2e
DENIED = {"AccessDeniedException", "AccessDenied"}


def account() -> str:
    return str(boto3.client("sts").get_caller_identity()["Account"])


def as_role(role_name: str) -> Callable[[str], Any]:
    """Clients acting as the role (sts:AssumeRole at the emulator, as Lambda does with an execution role)."""
    session = boto3.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account()}:role/{role_name}", RoleSessionName="probe"
    )["Credentials"]
    keys = {
        "aws_access_key_id": session["AccessKeyId"],
        "aws_secret_access_key": session["SecretAccessKey"],
        "aws_session_token": session["SessionToken"],
    }
    return lambda service: boto3.client(service, **keys)


def as_function(outputs: dict[str, Any], key: str) -> Callable[[str], Any]:
    return as_role(f"{outputs['function_names'][key]}-role")


def denied(call: Callable[[], Any], action: str, resource: str | None = None) -> str:
    """Run the call, expect AccessDenied naming the action (and the resource); the message."""
    with pytest.raises(ClientError) as refused:
        call()
    error = refused.value.response["Error"]
    assert error["Code"] in DENIED, error
    message = str(error.get("Message", ""))
    assert action in message, message
    assert "is not authorized to perform" in message, message
    if resource is not None:
        assert f"on resource: {resource}" in message, message
    return message


def function_arn(name: str, qualifier: str | None = None) -> str:
    return f"arn:aws:lambda:us-east-1:{account()}:function:{name}" + (f":{qualifier}" if qualifier else "")


def test_a_worker_reads_its_own_table_only(outputs):
    inventory, processed = outputs["inventory_table_name"], outputs["processed_data_table_name"]
    key = {"pk": {"S": "no-such-product"}}
    inventory_worker = as_function(outputs, "inventory-worker")("dynamodb")
    inventory_worker.get_item(TableName=inventory, Key=key)  # control: its own table
    denied(lambda: inventory_worker.get_item(TableName=processed, Key={"execution_id": {"S": "x"}}), "dynamodb:GetItem")
    storage_worker = as_function(outputs, "data-storage")("dynamodb")
    denied(lambda: storage_worker.get_item(TableName=inventory, Key=key), "dynamodb:GetItem")


def test_pipeline_functions_cannot_write_the_inventory_table(outputs):
    item = {"pk": {"S": f"probe-{uuid.uuid4()}"}, "stock": {"N": "1"}}
    for key in ("durable-data-pipeline", "data-storage", "data-transformer", "data-validator"):
        dynamodb = as_function(outputs, key)("dynamodb")
        message = denied(
            lambda db=dynamodb: db.put_item(TableName=outputs["inventory_table_name"], Item=item), "dynamodb:PutItem"
        )
        assert f"{outputs['function_names'][key]}-role" in message, message


def test_a_durable_function_invokes_its_own_workers_by_qualified_arn_only(outputs):
    names = outputs["function_names"]
    orders = as_function(outputs, "order-processor")("lambda")
    worker = names["inventory-worker"]
    orders.invoke(FunctionName=f"{worker}:1", InvocationType="DryRun")  # control: a version of its own worker
    denied(lambda: orders.invoke(FunctionName=worker, InvocationType="DryRun"), "lambda:InvokeFunction")
    denied(lambda: orders.invoke(FunctionName=f"{worker}:$LATEST", InvocationType="DryRun"), "lambda:InvokeFunction")
    other = names["data-storage"]
    denied(lambda: orders.invoke(FunctionName=f"{other}:1", InvocationType="DryRun"), "lambda:InvokeFunction")


def start_order(outputs: dict[str, Any]) -> str:
    """An execution of the order processor (it fails validation at once: the probes need its ARN only)."""
    started = boto3.client("lambda").invoke(
        FunctionName=outputs["order_processor_alias_arn"],
        InvocationType="Event",
        DurableExecutionName=f"iam-probe-{uuid.uuid4()}",
        Payload=json.dumps({}).encode(),
    )
    return str(started["DurableExecutionArn"])


def test_a_chained_invoke_is_authorized_as_the_durable_functions_role_on_the_exact_target(outputs):
    names = outputs["function_names"]
    arn = start_order(outputs)
    orders = as_function(outputs, "order-processor")("lambda")

    def chained_invoke(target: str) -> Callable[[], Any]:
        update = {"Id": "probe", "Type": "CHAINED_INVOKE", "Action": "START"}
        return lambda: orders.checkpoint_durable_execution(
            DurableExecutionArn=arn,
            CheckpointToken="probe",
            Updates=[{**update, "ChainedInvokeOptions": {"FunctionName": target}}],
        )

    worker = names["inventory-worker"]
    for target in (worker, f"{worker}:$LATEST", function_arn(names["data-storage"], "1")):
        expected = target if target.startswith("arn:") else function_arn(target)
        denied(chained_invoke(target), "lambda:InvokeFunction", expected)


def test_a_function_cannot_checkpoint_or_read_another_functions_execution(outputs):
    arn = start_order(outputs)
    math = as_function(outputs, "parallel-math")("lambda")
    execution = boto3.client("lambda").get_durable_execution(DurableExecutionArn=arn)
    resource_prefix = f"{execution['FunctionArn']}/durable-execution/"
    message = denied(
        lambda: math.checkpoint_durable_execution(DurableExecutionArn=arn, CheckpointToken="probe", Updates=[]),
        "lambda:CheckpointDurableExecution",
    )
    assert resource_prefix in message, message
    assert f"{outputs['function_names']['parallel-math']}-role" in message, message
    denied(
        lambda: math.get_durable_execution_state(DurableExecutionArn=arn, CheckpointToken="probe"),
        "lambda:GetDurableExecutionState",
    )


def test_a_user_allowed_one_alias_can_do_nothing_else(outputs):
    iam, name = boto3.client("iam"), f"probe-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": outputs["parallel_math_alias_arn"]}
        ],
    }
    iam.put_user_policy(UserName=name, PolicyName="invoke-math", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    user = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    lambda_client = boto3.client("lambda", **user)

    answer = lambda_client.invoke(FunctionName=outputs["parallel_math_alias_arn"], Payload=b'{"num1": 10, "num2": 5}')
    assert json.loads(answer["Payload"].read())["Add"] == 15
    orders = outputs["order_processor_alias_arn"]
    denied(lambda: lambda_client.invoke(FunctionName=orders, Payload=b"{}"), "lambda:InvokeFunction", orders)
    denied(
        lambda: lambda_client.list_durable_executions_by_function(
            FunctionName=outputs["function_names"]["order-processor"]
        ),
        "lambda:ListDurableExecutionsByFunction",
    )
    denied(lambda: boto3.client("dynamodb", **user).scan(TableName=outputs["inventory_table_name"]), "dynamodb:Scan")
    wrong = boto3.client("lambda", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key="not-the-secret")
    with pytest.raises(ClientError) as forged:
        wrong.invoke(FunctionName=outputs["parallel_math_alias_arn"], Payload=b"{}")
    assert forged.value.response["Error"]["Code"] in {"SignatureDoesNotMatch", "InvalidSignatureException"}
