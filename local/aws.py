"""boto3 clients for the local environment's own processes, pointed at an endpoint of this machine."""

import os
from typing import Any

import boto3
from botocore.config import Config
from botocore.credentials import RefreshableCredentials
from botocore.session import get_session

REGION = os.environ.get("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
# The emulator's account root (ministack treats the key `test` as the root; the durable engine accepts any keys):
# what the Lambda service itself does locally. Never used as a function's or a user's identity.
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


def role_client(service: str, role_arn: str, session_name: str, endpoint_url: str | None = None) -> Any:
    """A client acting as ``role_arn`` (sts:AssumeRole at the local endpoint, renewed before the session ends), as
    Lambda acts with a function's execution role for the calls it makes on the function's behalf."""
    sts = client("sts", endpoint_url)

    def assume() -> dict[str, str]:
        session = sts.assume_role(RoleArn=role_arn, RoleSessionName=session_name, DurationSeconds=3600)["Credentials"]
        return {
            "access_key": session["AccessKeyId"],
            "secret_key": session["SecretAccessKey"],
            "token": session["SessionToken"],
            "expiry_time": session["Expiration"].isoformat(),
        }

    botocore_session = get_session()
    botocore_session._credentials = RefreshableCredentials.create_from_metadata(  # no public setter for these
        metadata=assume(), refresh_using=assume, method="sts-assume-role"
    )
    return boto3.Session(botocore_session=botocore_session).client(
        service,
        endpoint_url=endpoint_url or endpoint(),
        region_name=REGION,
        config=Config(retries={"max_attempts": 2}),
    )
