"""The local environment end to end: Terraform-applied Lambdas, DynamoDB and SQS in the emulator; durable
executions through the local bridge (environments/local/bridge.py)."""

import json
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "environments" / "local"))
import bridge
from tests.e2e.local_stack import deployed_outputs, stack  # noqa: F401 - fixtures `outputs` and `stack`

pytestmark = pytest.mark.e2e

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def stock(outputs: dict[str, Any]) -> dict[str, int]:
    dynamodb = bridge.client("dynamodb")
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


def test_a_confirmed_order_decrements_stock(outputs):
    before = stock(outputs)
    response = bridge.run(outputs["order_processor_alias_arn"], an_order())

    assert response["success"] is True, response
    assert response["result"]["totals"]["total"] == 130.68
    after = stock(outputs)
    assert after == {**before, "PROD-001": before["PROD-001"] - 2, "PROD-002": before["PROD-002"] - 1}


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
    response = bridge.run(outputs["order_processor_alias_arn"], an_order(**changes))

    assert response["success"] is False
    assert [failure["step"] for failure in response["failures"]] == [step]
    assert stock(outputs) == before


def test_parallel_math_through_the_deployed_function(outputs):
    assert bridge.run(outputs["parallel_math_alias_arn"], {"num1": 10, "num2": 5}) == {
        "Add": 15,
        "Subtract": 5,
        "Multiply": 50,
        "Division": 2.0,
    }


def test_every_message_is_stored_once_or_dead_lettered(outputs):
    sqs = bridge.client("sqs")
    good = {f"src-{n}.csv" for n in range(4)}
    bodies = [json.dumps({"data_source": name, "processing_type": "standard"}) for name in sorted(good)]
    bodies += [json.dumps({"processing_type": "standard"}), json.dumps({"data_source": "x"}), "not json at all"]
    sent = {
        sqs.send_message(QueueUrl=outputs["data_processing_queue_url"], MessageBody=b)["MessageId"]: b for b in bodies
    }

    settings = bridge.MappingSettings.read(outputs["data_pipeline_alias_arn"])
    assert settings.report_batch_item_failures
    assert settings.batch_size == 5
    stop = threading.Event()
    poller = threading.Thread(target=bridge.deliver, args=(outputs["data_pipeline_alias_arn"], stop), daemon=True)
    poller.start()

    table = boto3.resource("dynamodb", endpoint_url=bridge.ENDPOINT, region_name=bridge.REGION).Table(
        outputs["processed_data_table_name"]
    )
    dead: set[str] = set()
    stored: dict[str, Any] = {}
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and len(stored) + len(dead) < len(sent):
        stored = {
            item["execution_id"]: item
            for item in table.scan()["Items"]
            if item["execution_id"].removeprefix("local-esm-") in sent
        }
        for message in sqs.receive_message(
            QueueUrl=outputs["data_processing_dlq_url"], MaxNumberOfMessages=10, VisibilityTimeout=600
        ).get("Messages", []):
            dead.add(message["MessageId"])
        time.sleep(1)
    stop.set()
    poller.join(timeout=60)

    assert len(sent) == len(stored) + len(dead)
    assert {item["transformed_data"]["data_source"] for item in stored.values()} == {g.upper() for g in good}
    assert {item["original_data"]["data_source"] for item in stored.values()} == good
    assert dead == {message_id for message_id, body in sent.items() if "src-" not in body}
    assert not set(stored) & {f"local-esm-{message_id}" for message_id in dead}
