"""boto3 clients for the local environment's own processes, pointed at an endpoint of this machine."""

import os
from typing import Any

import boto3
from botocore.config import Config

REGION = os.environ.get("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
# The emulator and the durable engine accept any keys; these never leave the machine.
LOCAL_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


def endpoint() -> str:
    """The local endpoint every tool points at (the front): AWS_ENDPOINT_URL, default http://127.0.0.1:4566."""
    return os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")


def client(service: str, endpoint_url: str | None = None, read_timeout: int = 60) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint_url or endpoint(),
        region_name=REGION,
        config=Config(read_timeout=read_timeout, retries={"max_attempts": 2}),
        **LOCAL_CREDENTIALS,
    )
