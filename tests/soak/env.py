"""The deployed local environment as the soak sees it: outputs, boto3 clients on the local endpoint, helpers."""

import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

INVOKE_TIMEOUT_S = 120


@dataclass
class SoakEnv:
    """Root outputs of the local environment and clients on its endpoint (AWS_ENDPOINT_URL)."""

    outputs: dict[str, Any]
    endpoint: str = field(default_factory=lambda: os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"))
    read_timeout: int = INVOKE_TIMEOUT_S

    def client(self, service: str, *, read_timeout: int | None = None, pool: int = 20) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(
                read_timeout=read_timeout or self.read_timeout,
                connect_timeout=5,
                max_pool_connections=pool,
                retries={"max_attempts": 1, "mode": "standard"},
            ),
        )

    def put_product(self, product: str, stock: int) -> None:
        """A product row of the inventory table holding ``stock`` units (each scenario makes its own)."""
        self.client("dynamodb").put_item(
            TableName=self.outputs["inventory_table_name"],
            Item={"pk": {"S": f"PRODUCT#{product}"}, "productId": {"S": product}, "stock": {"N": str(stock)}},
        )

    def stock_of(self, product: str) -> int:
        """The units the product holds now (a consistent read)."""
        item = self.client("dynamodb").get_item(
            TableName=self.outputs["inventory_table_name"],
            Key={"pk": {"S": f"PRODUCT#{product}"}},
            ConsistentRead=True,
        )["Item"]
        return int(item["stock"]["N"])

    def function(self, suffix: str) -> str:
        return str(self.outputs["function_names"][suffix])

    def invoke(self, lambda_client: Any, alias_arn: str, payload: Any, **arguments: Any) -> tuple[dict[str, Any], Any]:
        """A boto3 Invoke; (response, decoded payload or the raw text when it is not JSON)."""
        response = lambda_client.invoke(FunctionName=alias_arn, Payload=json.dumps(payload).encode(), **arguments)
        raw = response["Payload"].read() or b"null"
        try:
            return response, json.loads(raw)
        except ValueError:
            return response, raw.decode(errors="replace")


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return round(ordered[rank], 3)


def wait_until(check: Any, timeout_s: float, interval_s: float = 1.0) -> bool:
    """Call ``check`` until it is truthy or ``timeout_s`` passes (bounded in time and count)."""
    deadline = time.monotonic() + timeout_s
    for _ in range(int(timeout_s / interval_s) + 2):
        if check():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval_s)
    return False


def load_outputs(path: str) -> dict[str, Any]:
    """`make outputs ENV=local` JSON ({name: {value, type}}) as {name: value}."""
    with open(path, encoding="utf-8") as handle:
        raw: dict[str, Any] = json.load(handle)
    return {
        name: entry["value"] if isinstance(entry, dict) and "value" in entry else entry for name, entry in raw.items()
    }
