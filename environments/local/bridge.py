"""Local-only bridge: the durable-execution service and the SQS poller that the emulator lacks.

ministack runs the deployed Lambdas, DynamoDB and SQS, but it cannot run a durable handler (it never starts a
durable execution for a function without its non-standard ``DurableConfig.Enabled``, and its event source mapping
invokes functions the plain way). This module stands in for exactly those two pieces and nothing else:

* ``run``: runs a deployed durable function under AWS's own testing runner (the durable-execution service
  stand-in). The handler code is the zip deployed to the emulator and its environment is the deployed function's
  configuration; every chained invoke goes to the worker Lambda deployed in the emulator.
* ``deliver``: polls the pipeline queue the way the deployed event source mapping says (batch size, batching
  window, ``ReportBatchItemFailures``, maximum concurrency, all read back from the Lambda API), runs each batch
  through ``run``, deletes what the partial batch response says succeeded and leaves the rest to SQS's own
  redrive policy (maxReceiveCount, then the DLQ). One local shortcut: a failed record is made visible again at
  once instead of after the visibility timeout, so its receives towards the DLQ take seconds.

Never used against AWS: dev and prod run durable executions in the Lambda service and poll with the real ESM.
"""

import argparse
import io
import json
import os
import sys
import threading
import time
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

ENDPOINT = os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
REGION = os.environ.get("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
CODE_CACHE = Path(os.environ.get("BRIDGE_CODE_DIR", "build/bridge"))
LOCAL_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}  # the emulator ignores them


def client(service: str) -> Any:
    return boto3.client(service, endpoint_url=ENDPOINT, region_name=REGION, **LOCAL_CREDENTIALS)


class WorkerError(RuntimeError):
    """A chained-invoke target answered with a function error (the invoke fails, as in AWS)."""


def remote_worker(function_name: str) -> Callable[[Any, Any], Any]:
    """A chained-invoke target that calls the worker Lambda deployed in the emulator."""
    lambda_client = client("lambda")

    def call(payload: Any, _context: Any) -> Any:
        response = lambda_client.invoke(FunctionName=function_name, Payload=json.dumps(payload).encode())
        body = json.loads(response["Payload"].read() or b"null")
        if response.get("FunctionError"):
            message = body.get("errorMessage") if isinstance(body, dict) else str(body)
            raise WorkerError(f"{function_name}: {message}")
        return body

    return call


@dataclass(frozen=True)
class DeployedDurableFunction:
    """A durable function as deployed in the emulator: its code, handler and environment."""

    arn: str
    handler: Callable[..., Any]
    environment: dict[str, str]

    @property
    def account_id(self) -> str:
        return self.arn.split(":")[4]

    def chained_targets(self) -> set[str]:
        """The workers it may invoke: every ``*_FUNCTION`` variable Terraform set on it."""
        return {value for key, value in self.environment.items() if key.endswith("_FUNCTION")}


_loaded: dict[str, DeployedDurableFunction] = {}
_load_lock = threading.Lock()


def load(function_ref: str) -> DeployedDurableFunction:
    """Fetch a deployed function's code and configuration and import its handler (once per process)."""
    with _load_lock:
        if function_ref in _loaded:
            return _loaded[function_ref]
        lambda_client = client("lambda")
        deployed = lambda_client.get_function(FunctionName=function_ref)
        config = deployed["Configuration"]
        code_dir = CODE_CACHE / f"{config['FunctionName']}-{config['CodeSha256'].replace('/', '_')[:16]}"
        if not code_dir.exists():
            with urllib.request.urlopen(deployed["Code"]["Location"]) as response:  # noqa: S310 - emulator URL
                zipfile.ZipFile(io.BytesIO(response.read())).extractall(code_dir)
        environment = dict(config.get("Environment", {}).get("Variables", {}))
        # The handler reads its settings at import, as in Lambda: the deployed environment first.
        os.environ.update(environment)
        os.environ.setdefault("AWS_ENDPOINT_URL", ENDPOINT)
        sys.path.insert(0, str(code_dir.resolve()))
        module_name, attribute = config["Handler"].rsplit(".", 1)
        module = __import__(module_name, fromlist=[attribute])
        function = DeployedDurableFunction(config["FunctionArn"], getattr(module, attribute), environment)
        _loaded[function_ref] = function
        return function


def run(function_ref: str, event: Any, execution_name: str = "local") -> Any:
    """Run one durable execution of a deployed function; return its result (or raise with its error)."""
    function = load(function_ref)
    with DurableFunctionTestRunner(function.handler, skip_time=False, poll_interval=0.2, region=REGION) as runner:
        for target in function.chained_targets():
            bare_name = target.split(":function:")[-1].split(":")[0]
            runner.register_function(bare_name, remote_worker(target))
        outcome = runner.run(
            input=json.dumps(event),
            function_name=function.arn.split(":")[6],
            execution_name=execution_name,
            account_id=function.account_id,
            execution_timeout=int(function.environment.get("BRIDGE_EXECUTION_TIMEOUT", "900")),
        )
    if outcome.status.name != "SUCCEEDED" or outcome.result is None:
        raise RuntimeError(f"durable execution {outcome.status.name}: {outcome.error}")
    return json.loads(outcome.result)


@dataclass(frozen=True)
class MappingSettings:
    """What the deployed event source mapping says about delivery."""

    queue_url: str
    queue_arn: str
    batch_size: int
    window_seconds: int
    report_batch_item_failures: bool
    maximum_concurrency: int

    @classmethod
    def read(cls, function_ref: str) -> "MappingSettings":
        mappings = client("lambda").list_event_source_mappings(FunctionName=function_ref)["EventSourceMappings"]
        sqs_mappings = [m for m in mappings if ":sqs:" in m.get("EventSourceArn", "")]
        if not sqs_mappings:
            raise RuntimeError(f"no SQS event source mapping targets {function_ref}")
        mapping = sqs_mappings[0]
        queue_arn = mapping["EventSourceArn"]
        queue_name, account = queue_arn.split(":")[5], queue_arn.split(":")[4]
        queue_url = client("sqs").get_queue_url(QueueName=queue_name, QueueOwnerAWSAccountId=account)["QueueUrl"]
        return cls(
            queue_url=queue_url,
            queue_arn=queue_arn,
            batch_size=int(mapping.get("BatchSize", 10)),
            window_seconds=int(mapping.get("MaximumBatchingWindowInSeconds", 0)),
            report_batch_item_failures="ReportBatchItemFailures" in mapping.get("FunctionResponseTypes", []),
            maximum_concurrency=int(mapping.get("ScalingConfig", {}).get("MaximumConcurrency", 2)),
        )


def _sqs_record(message: dict[str, Any], settings: MappingSettings) -> dict[str, Any]:
    """A received message in the shape the ESM hands to Lambda."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": settings.queue_arn,
        "awsRegion": REGION,
    }


def _collect_batch(sqs: Any, settings: MappingSettings, stop: threading.Event) -> list[dict[str, Any]]:
    """Up to batch_size messages, waiting at most the batching window after the first one arrives."""
    batch: list[dict[str, Any]] = []
    deadline: float | None = None
    while len(batch) < settings.batch_size and not stop.is_set():
        remaining = 20 if deadline is None else max(0, int(deadline - time.monotonic()))
        received = sqs.receive_message(
            QueueUrl=settings.queue_url,
            MaxNumberOfMessages=min(10, settings.batch_size - len(batch)),
            WaitTimeSeconds=min(remaining, 20),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        batch += received
        if batch and deadline is None:
            deadline = time.monotonic() + settings.window_seconds
        if deadline is not None and time.monotonic() >= deadline:
            break
    return batch


def deliver_batch(
    sqs: Any, function_ref: str, settings: MappingSettings, messages: list[dict[str, Any]]
) -> dict[str, Any]:
    """Invoke the pipeline with one batch and settle each message as the ESM would."""
    event = {"Records": [_sqs_record(message, settings) for message in messages]}
    try:
        response = run(function_ref, event, execution_name=f"batch-{messages[0]['MessageId']}")
        failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        if not settings.report_batch_item_failures and failed:
            failed = {m["MessageId"] for m in messages}  # without partial responses a batch fails whole
    except Exception as error:  # noqa: BLE001 - a failed invocation fails the whole batch, as in Lambda
        response = {"error": str(error)}
        failed = {m["MessageId"] for m in messages}
    done = [m for m in messages if m["MessageId"] not in failed]
    for chunk in range(0, len(done), 10):
        entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done[chunk : chunk + 10])]
        sqs.delete_message_batch(QueueUrl=settings.queue_url, Entries=entries)
    for message in messages:
        if message["MessageId"] in failed:  # local shortcut: visible again now; SQS still counts the receive
            sqs.change_message_visibility(
                QueueUrl=settings.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
    return response


def deliver(function_ref: str, stop: threading.Event, idle_exit_seconds: float | None = None) -> None:
    """Poll until stopped (or idle that long): one polling thread per unit of the mapping's maximum concurrency."""
    settings = MappingSettings.read(function_ref)
    load(function_ref)
    last_activity = [time.monotonic()]
    print(f"bridge: delivering {settings} to {function_ref}", flush=True)

    def poll() -> None:
        sqs = client("sqs")
        while not stop.is_set():
            batch = _collect_batch(sqs, settings, stop)
            if batch:
                last_activity[0] = time.monotonic()
                result = deliver_batch(sqs, function_ref, settings, batch)
                print(json.dumps({"batch": len(batch), "result": result}), flush=True)
            elif idle_exit_seconds is not None and time.monotonic() - last_activity[0] > idle_exit_seconds:
                stop.set()

    threads = [threading.Thread(target=poll, daemon=True) for _ in range(settings.maximum_concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    poller = commands.add_parser("deliver", help="poll the queue of a durable function's event source mapping")
    poller.add_argument("function", help="qualified ARN (alias) of the durable function")
    poller.add_argument("--idle-exit", type=float, default=None, help="stop after this many idle seconds")
    args = parser.parse_args(argv)
    deliver(args.function, threading.Event(), args.idle_exit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
