"""The local environment end to end, through the same APIs as AWS: Terraform-applied Lambdas, DynamoDB and SQS in
the emulator, durable executions on AWS's durable engine, every call a boto3 call on the local endpoint."""

import json
import re
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from scripts import workloads

from tests.e2e.local_stack import deployed_outputs, stack  # noqa: F401 - fixtures `outputs` and `stack`

pytestmark = pytest.mark.e2e

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WORKER_KEYS = ("inventory", "payment", "shipping", "tax")


def aws(service: str) -> Any:
    """A boto3 client on the local endpoint (AWS_ENDPOINT_URL, set by conftest), as any tool would make it."""
    return boto3.client(service)


def stock(outputs: dict[str, Any]) -> dict[str, int]:
    dynamodb = aws("dynamodb")
    units = {}
    for product in ("PROD-001", "PROD-002", "PROD-003"):
        item = dynamodb.get_item(TableName=outputs["inventory_table_name"], Key={"pk": {"S": f"PRODUCT#{product}"}})
        units[product] = int(item["Item"]["stock"]["N"])
    return units


def an_order(**changes: Any) -> dict[str, Any]:
    order = json.loads((EXAMPLES / "orders" / "sample-ca.json").read_text())
    order["orderId"] = f"ORD-E2E-{uuid.uuid4().hex[:8]}"
    order.update(changes)
    return order


def invoke(function_arn: str, payload: Any, **arguments: Any) -> tuple[dict[str, Any], Any]:
    """A plain boto3 Invoke, with the read timeout and no retries a synchronous durable Invoke needs (a retried
    Invoke without an execution name would start a second execution); the response metadata and the decoded
    payload."""
    lambda_client = boto3.client("lambda", config=workloads.INVOKE_CONFIG)
    response = lambda_client.invoke(FunctionName=function_arn, Payload=json.dumps(payload).encode(), **arguments)
    return response, json.loads(response["Payload"].read() or b"null")


def worker_invocations(outputs: dict[str, Any], worker: str, order_id: str) -> int:
    """How many times a worker ran for an order: distinct request ids in its own logs for that correlation id."""
    group = f"/aws/lambda/{outputs['function_names'][f'{worker}-worker']}"
    request_ids = set()
    for event in aws("logs").filter_log_events(logGroupName=group)["events"]:
        if event["message"].startswith("{"):
            line = json.loads(event["message"])
            if line.get("correlation_id") == order_id:
                request_ids.add(line["function_request_id"])
    return len(request_ids)


def test_a_confirmed_order_replays_without_running_completed_operations_again(outputs):
    before = stock(outputs)
    order = an_order()
    response, body = invoke(outputs["order_processor_alias_arn"], order)

    assert "FunctionError" not in response, body
    assert body["success"] is True, body
    assert body["result"]["totals"]["total"] == 130.68
    assert stock(outputs) == {**before, "PROD-001": before["PROD-001"] - 2, "PROD-002": before["PROD-002"] - 1}

    events = workloads.history_events(outputs, response["DurableExecutionArn"])
    operations = workloads.timeline(events)
    top_level = [op.name for op in operations if op.depth == 0]
    assert top_level == ["validate-order", "run-workers", "confirmation-delay", "finalize-order"]
    branches = {op.name for op in operations if op.depth == 1}
    invokes = {op.name: op for op in operations if op.kind == "ChainedInvoke"}
    assert branches == set(WORKER_KEYS)
    assert set(invokes) == {f"invoke-{w}" for w in WORKER_KEYS}
    assert all(op.status == "SUCCEEDED" and op.attempts == 1 for op in operations)
    # The durable wait suspended the orchestrator: it ran in two or more invocations, replaying each time...
    assert sum(e["EventType"] == "InvocationCompleted" for e in events) >= 2
    # ...and no completed operation ran again: each worker ran exactly once for this order.
    assert {w: worker_invocations(outputs, w, order["orderId"]) for w in WORKER_KEYS} == dict.fromkeys(WORKER_KEYS, 1)


@pytest.mark.parametrize(
    ("changes", "step"),
    [
        ({"items": [{"productId": "PROD-404", "quantity": 1, "price": 5.0}]}, "inventory"),
        (
            {"customer": {"id": "C-1", "address": {"state": "CA", "zipCode": "94102"}, "paymentMethod": "bitcoin"}},
            "payment",
        ),
    ],
)
def test_a_rejected_order_leaves_stock_unchanged(outputs, changes, step):
    before = stock(outputs)
    _, body = invoke(outputs["order_processor_alias_arn"], an_order(**changes))

    assert body["success"] is False
    assert [failure["step"] for failure in body["failures"]] == [step]
    assert stock(outputs) == before


def test_parallel_math_through_the_lambda_api(outputs):
    response, body = invoke(outputs["parallel_math_alias_arn"], {"num1": 10, "num2": 5})

    assert body == {"Add": 15, "Subtract": 5, "Multiply": 50, "Division": 2.0}
    alias = aws("lambda").get_alias(FunctionName=outputs["function_names"]["parallel-math"], Name="live")
    assert response["ExecutedVersion"] == alias["FunctionVersion"]
    assert response["DurableExecutionArn"]


def test_a_durable_function_is_invoked_only_by_qualified_arn(outputs):
    unqualified = outputs["parallel_math_alias_arn"].rsplit(":", 1)[0]
    with pytest.raises(aws("lambda").exceptions.InvalidParameterValueException, match="qualified ARN"):
        invoke(unqualified, {"num1": 1, "num2": 1})


def test_a_bad_event_gets_a_structured_error(outputs):
    response, body = invoke(outputs["data_pipeline_alias_arn"], {"Records": [{"messageId": ""}]})
    assert "FunctionError" not in response  # a documented error shape is a result, not a failure
    assert body["error"]["name"] == "InvalidEvent"


def test_a_named_event_start_is_idempotent(outputs):
    name = f"e2e-named-{uuid.uuid4().hex[:8]}"
    payload = {"num1": 7, "num2": 2}
    first, _ = invoke(outputs["parallel_math_alias_arn"], payload, InvocationType="Event", DurableExecutionName=name)
    second, _ = invoke(outputs["parallel_math_alias_arn"], payload, InvocationType="Event", DurableExecutionName=name)

    assert first["StatusCode"] == second["StatusCode"] == 202
    assert first["DurableExecutionArn"] == second["DurableExecutionArn"]
    lambda_client = aws("lambda")
    with pytest.raises(lambda_client.exceptions.DurableExecutionAlreadyStartedException):
        invoke(outputs["parallel_math_alias_arn"], {"num1": 1}, InvocationType="Event", DurableExecutionName=name)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        listed = [e for e in workloads.executions(outputs, "parallel-math") if e["DurableExecutionName"] == name]
        if listed and listed[0]["Status"] == "SUCCEEDED":
            break
        time.sleep(0.5)
    assert len(listed) == 1, listed
    assert listed[0]["Status"] == "SUCCEEDED", listed
    result = lambda_client.get_durable_execution(DurableExecutionArn=first["DurableExecutionArn"])
    assert json.loads(result["Result"]) == {"Add": 9, "Subtract": 5, "Multiply": 14, "Division": 3.5}
    table = workloads.format_timeline(
        workloads.timeline(workloads.history_events(outputs, listed[0]["DurableExecutionArn"]))
    )
    assert {"math-operations", "addition", "division"} <= {line.split()[0] for line in table.splitlines()[1:]}


def test_every_message_is_stored_once_or_dead_lettered(outputs):
    """The queue is driven by the local ESM poller (started by the `outputs` fixture) through the alias Invoke."""
    sqs = aws("sqs")
    mapping = aws("lambda").list_event_source_mappings(FunctionName=outputs["data_pipeline_alias_arn"])
    settings = mapping["EventSourceMappings"][0]
    assert settings["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert settings["BatchSize"] == 5

    good = {f"src-{uuid.uuid4().hex[:6]}-{n}.csv" for n in range(4)}
    bodies = [json.dumps({"data_source": name, "processing_type": "standard"}) for name in sorted(good)]
    bodies += [json.dumps({"processing_type": "standard"}), json.dumps({"data_source": "x"}), "not json at all"]
    sent = {
        sqs.send_message(QueueUrl=outputs["data_processing_queue_url"], MessageBody=b)["MessageId"]: b for b in bodies
    }

    table = boto3.resource("dynamodb").Table(outputs["processed_data_table_name"])
    dead: set[str] = set()
    stored: dict[str, Any] = {}
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and len(stored) + len(dead) < len(sent):
        for message_id in set(sent) - set(stored):
            item = table.get_item(Key={"execution_id": f"local-esm-{message_id}"}).get("Item")
            if item:
                stored[message_id] = item
        for message in sqs.receive_message(
            QueueUrl=outputs["data_processing_dlq_url"], MaxNumberOfMessages=10, VisibilityTimeout=600
        ).get("Messages", []):
            dead.add(message["MessageId"])
        time.sleep(1)

    assert len(sent) == len(stored) + len(dead & set(sent))
    assert {item["transformed_data"]["data_source"] for item in stored.values()} == {g.upper() for g in good}
    assert {item["original_data"]["data_source"] for item in stored.values()} == good
    assert dead & set(sent) == {message_id for message_id, body in sent.items() if "src-" not in body}
    assert not set(stored) & dead
    pipeline = aws("lambda").list_durable_executions_by_function(
        FunctionName=outputs["function_names"]["durable-data-pipeline"]
    )["DurableExecutions"]
    assert pipeline, "the pipeline's batches ran as durable executions"


def test_every_durable_function_calls_pinned_worker_versions(outputs):
    """Releases are pinned: each durable function's *_FUNCTION variables name worker versions, never $LATEST."""
    lambda_client = aws("lambda")
    pinned = re.compile(r"^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+:\d+$")
    variables = {}
    for key in ("order-processor", "durable-data-pipeline"):
        config = lambda_client.get_function_configuration(FunctionName=outputs["function_names"][key], Qualifier="live")
        variables |= {k: v for k, v in config["Environment"]["Variables"].items() if k.endswith("_FUNCTION")}
    assert set(variables) == {
        "INVENTORY_FUNCTION",
        "PAYMENT_FUNCTION",
        "SHIPPING_FUNCTION",
        "TAX_FUNCTION",
        "VALIDATOR_FUNCTION",
        "TRANSFORMER_FUNCTION",
        "STORAGE_FUNCTION",
    }
    assert all(pinned.match(value) for value in variables.values()), variables
