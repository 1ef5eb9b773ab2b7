"""Unit-test support: environment the handlers read at import, moto DynamoDB, and AWS's durable testing runner.

The durable orchestrators run under ``DurableFunctionTestRunner`` (the local stand-in for the durable-execution
service); their workers are registered as chained-invoke targets under the names the orchestrators read from
their environment, exactly as Terraform wires them in AWS.
"""

import json
import os
from collections.abc import Callable
from typing import Any

from scripts import manifests

# Every *_FUNCTION variable a declared durable handler reads, naming test-<worker> (as Terraform names <env>-<worker>).
WORKER_NAMES = manifests.chained_function_names("test")
TEST_ENV = {
    "ENVIRONMENT": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "INVENTORY_TABLE_NAME": "test-inventory",
    "PROCESSED_DATA_TABLE_NAME": "test-processed-data",
    "RECORD_CONCURRENCY": "3",
    "POWERTOOLS_METRICS_NAMESPACE": "DurableDeployTest",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    **WORKER_NAMES,
}
# Set before any handler module is imported: they parse their settings at import, as in Lambda.
os.environ.update(TEST_ENV)
os.environ.pop("AWS_ENDPOINT_URL", None)

from aws_durable_execution_sdk_python_testing.runner import (  # noqa: E402
    DurableFunctionTestResult,
    DurableFunctionTestRunner,
)

DEMO_STOCK = {"PROD-001": 1000, "PROD-002": 1000, "PROD-003": 1000}


class Stock:
    """Read and write product stock in the (moto) inventory table."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.table = TEST_ENV["INVENTORY_TABLE_NAME"]

    def set(self, product: str, units: int) -> None:
        self.client.put_item(TableName=self.table, Item={"pk": {"S": f"PRODUCT#{product}"}, "stock": {"N": str(units)}})

    def get(self, product: str) -> int:
        item = self.client.get_item(TableName=self.table, Key={"pk": {"S": f"PRODUCT#{product}"}})["Item"]
        return int(item["stock"]["N"])

    def all(self) -> dict[str, int]:
        return {product: self.get(product) for product in DEMO_STOCK}

    def reservation(self, order_id: str) -> dict[str, Any] | None:
        key = {"pk": {"S": f"RESERVATION#{order_id}"}}
        return self.client.get_item(TableName=self.table, Key=key).get("Item")


class DurableRun:
    """Runs one durable handler under AWS's testing runner with its workers registered."""

    def __init__(self, handler: Callable[..., Any], workers: dict[str, Callable[..., Any]]) -> None:
        self.handler = handler
        self.workers = workers

    def __call__(self, event: Any) -> DurableFunctionTestResult:
        with DurableFunctionTestRunner(self.handler) as runner:
            for env_name, worker in self.workers.items():
                runner.register_function(WORKER_NAMES[env_name], worker)
            return runner.run(input=json.dumps(event), execution_timeout=120)

    def result(self, event: Any) -> Any:
        outcome = self(event)
        assert outcome.status.name == "SUCCEEDED", outcome.error
        assert outcome.result is not None
        return json.loads(outcome.result)


class ProcessedData:
    """Read the (moto) processed-data table."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def get(self, execution_id: str) -> dict[str, Any]:
        item: dict[str, Any] = self.table.get_item(Key={"execution_id": execution_id})["Item"]
        return item

    def ids(self) -> list[str]:
        return sorted(item["execution_id"] for item in self.table.scan()["Items"])


class LambdaContext:
    """The attributes Powertools reads from a Lambda context, for calling a worker handler directly."""

    function_name = "test-worker"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test-worker"
    aws_request_id = "test-request"
