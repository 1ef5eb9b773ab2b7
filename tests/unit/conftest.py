"""Fixtures: moto DynamoDB tables and durable runs of each workload (see support.py for the wiring)."""

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from tests.unit.support import DEMO_STOCK, TEST_ENV, ProcessedData, Stock  # sets the handlers' environment first

from data_pipeline.workers import storage  # isort: skip
from order_processing.workers import inventory  # isort: skip


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        inventory._client.cache_clear()
        storage._table.cache_clear()
        yield
        inventory._client.cache_clear()
        storage._table.cache_clear()


@pytest.fixture
def inventory_table(aws: None) -> "Stock":
    client = boto3.client("dynamodb")
    client.create_table(
        TableName=TEST_ENV["INVENTORY_TABLE_NAME"],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    stock = Stock(client)
    for product, units in DEMO_STOCK.items():
        stock.set(product, units)
    return stock


@pytest.fixture
def processed_table(aws: None) -> "ProcessedData":
    resource = boto3.resource("dynamodb")
    table = resource.create_table(
        TableName=TEST_ENV["PROCESSED_DATA_TABLE_NAME"],
        KeySchema=[{"AttributeName": "execution_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "execution_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return ProcessedData(table)
