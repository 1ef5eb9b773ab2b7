"""The SQS event source mapping of a durable function, driven the way Lambda's ESM drives it.

ministack's own poller invokes functions the plain way, which a durable handler rejects, so locally the mapping is
deployed disabled (its settings stay readable through the Lambda API) and this poller delivers its queue instead:
for every SQS mapping whose target is a durable function it receives up to ``BatchSize`` messages, waits at most
``MaximumBatchingWindowInSeconds`` for the batch to fill, and makes one synchronous ``Invoke`` of the mapping's
target (the alias ARN) on the local front, ``MaximumConcurrency`` batches at a time. As the ESM does with
``ReportBatchItemFailures``, it deletes what the response does not name in ``batchItemFailures`` and leaves the
rest to SQS; without it, any failure fails the whole batch. A function error fails the whole batch. SQS's own
redrive policy (maxReceiveCount, then the DLQ) decides the rest.

One local shortcut: a failed record is made visible again at once instead of after the visibility timeout, so
its receives towards the DLQ take seconds instead of minutes.

Why hand-written: no PyPI package polls SQS on behalf of a Lambda event source mapping; this is the ESM's loop
and nothing else (~150 lines).
"""

import argparse
import json
import logging
import signal
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from local.aws import REGION, client, role_client
from local.durable_functions import durable_functions

LOG = logging.getLogger("esm-poller")
# Shorter than Lambda's 20 s, so a stop (SIGTERM from processes.sh) finishes the receive in flight and hands its
# messages back within the few seconds processes.sh waits, instead of leaving them invisible for the visibility timeout.
LONG_POLL_SECONDS = 5
RETRY_PAUSE_SECONDS = 2


@dataclass(frozen=True)
class Mapping:
    """What a deployed event source mapping says about delivery."""

    uuid: str
    function_arn: str
    role_arn: str
    queue_url: str
    queue_arn: str
    batch_size: int
    window_seconds: int
    report_batch_item_failures: bool
    maximum_concurrency: int

    @classmethod
    def from_api(cls, mapping: dict[str, Any], sqs: Any, lambda_client: Any) -> "Mapping":
        queue_arn = mapping["EventSourceArn"]
        queue_name, account = queue_arn.split(":")[5], queue_arn.split(":")[4]
        return cls(
            uuid=mapping["UUID"],
            function_arn=mapping["FunctionArn"],
            role_arn=lambda_client.get_function_configuration(FunctionName=mapping["FunctionArn"])["Role"],
            queue_url=sqs.get_queue_url(QueueName=queue_name, QueueOwnerAWSAccountId=account)["QueueUrl"],
            queue_arn=queue_arn,
            batch_size=int(mapping.get("BatchSize", 10)),
            window_seconds=int(mapping.get("MaximumBatchingWindowInSeconds", 0)),
            report_batch_item_failures="ReportBatchItemFailures" in mapping.get("FunctionResponseTypes", []),
            maximum_concurrency=int(mapping.get("ScalingConfig", {}).get("MaximumConcurrency", 2)),
        )


def durable_mappings(lambda_client: Any, sqs: Any) -> list[Mapping]:
    """Every SQS event source mapping whose target is a durable function."""
    durable = durable_functions()
    mappings = []
    for page in lambda_client.get_paginator("list_event_source_mappings").paginate():
        for mapping in page["EventSourceMappings"]:
            function_name = mapping.get("FunctionArn", "").split(":function:")[-1].split(":")[0]
            if ":sqs:" in mapping.get("EventSourceArn", "") and function_name in durable:
                mappings.append(Mapping.from_api(mapping, sqs, lambda_client))
    return mappings


def sqs_record(message: dict[str, Any], mapping: Mapping) -> dict[str, Any]:
    """A received message in the shape the ESM hands to Lambda."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": mapping.queue_arn,
        "awsRegion": REGION,
    }


def collect_batch(sqs: Any, mapping: Mapping, stop: threading.Event) -> list[dict[str, Any]]:
    """Up to batch_size messages, waiting at most the batching window after the first one arrives; none after one
    long poll that brought nothing."""
    batch: list[dict[str, Any]] = []
    deadline: float | None = None
    while len(batch) < mapping.batch_size and not stop.is_set():
        remaining = LONG_POLL_SECONDS if deadline is None else max(0, int(deadline - time.monotonic()))
        batch += sqs.receive_message(
            QueueUrl=mapping.queue_url,
            MaxNumberOfMessages=min(10, mapping.batch_size - len(batch)),
            WaitTimeSeconds=min(remaining, LONG_POLL_SECONDS),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not batch:  # an idle long poll: back to the caller, which checks that the mapping still exists
            break
        if deadline is None:
            deadline = time.monotonic() + mapping.window_seconds
        if deadline is not None and time.monotonic() >= deadline:
            break
    return batch


def failed_records(lambda_client: Any, mapping: Mapping, messages: list[dict[str, Any]]) -> set[str]:
    """Invoke the target synchronously with one batch; the messageIds that must go back to the queue."""
    everything = {m["MessageId"] for m in messages}
    event = {"Records": [sqs_record(message, mapping) for message in messages]}
    try:
        response = lambda_client.invoke(FunctionName=mapping.function_arn, Payload=json.dumps(event).encode())
        body = json.loads(response["Payload"].read() or b"null")
    except Exception:  # the invoke itself failed (throttled, engine down): the whole batch comes back
        LOG.exception("invoke of %s failed", mapping.function_arn)
        return everything
    if response.get("FunctionError") or not isinstance(body, dict):
        LOG.warning("batch of %d failed as a whole: %s", len(messages), json.dumps(body)[:500])
        return everything
    failed = {f.get("itemIdentifier") for f in body.get("batchItemFailures", []) if isinstance(f, dict)}
    if not failed:
        return set()
    if not mapping.report_batch_item_failures or not failed <= everything:
        return everything  # without partial responses, or with an invalid one, the batch fails whole
    return {str(message_id) for message_id in failed}


def settle(sqs: Any, service_sqs: Any, mapping: Mapping, messages: list[dict[str, Any]], failed: set[str]) -> None:
    """Delete what succeeded (``sqs``: the function's role); make the failed records visible again for their next
    receive (``service_sqs``: the local shortcut is the service's, not a call Lambda's ESM makes with the role).

    One DeleteMessage per record: IAM authorizes DeleteMessageBatch as sqs:DeleteMessage, but the emulator evaluates
    it as an action of its own name, which no policy grants."""
    for message in messages:
        if message["MessageId"] not in failed:
            sqs.delete_message(QueueUrl=mapping.queue_url, ReceiptHandle=message["ReceiptHandle"])
    for message in messages:
        if message["MessageId"] in failed:
            service_sqs.change_message_visibility(
                QueueUrl=mapping.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )


def deployed(lambda_client: Any, mapping: Mapping) -> bool:
    """Whether the mapping still exists. Lambda's pollers stop with their mapping, and Terraform deletes a mapping
    before the role's queue permissions it depends on, so a poller that outlived its mapping would be refused."""
    try:
        lambda_client.get_event_source_mapping(UUID=mapping.uuid)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return False
        raise
    return True


def poll(mapping: Mapping, stop: threading.Event) -> None:
    """One unit of the mapping's concurrency: receive, invoke, settle, until stopped or the mapping is deleted. The
    queue calls are made with the function's execution role, as Lambda's pollers make them; the invoke is the
    service's own."""
    sqs, service_sqs = role_client("sqs", mapping.role_arn, f"esm-{mapping.uuid}"[:64]), client("sqs")
    lambda_client = client("lambda", read_timeout=960)
    while not stop.is_set():
        try:
            if not deployed(lambda_client, mapping):
                LOG.info("%s: mapping %s deleted, polling stopped", mapping.function_arn, mapping.uuid)
                return
            batch = collect_batch(sqs, mapping, stop)
            if batch and stop.is_set():  # stopping: hand the batch back to the queue instead of starting it
                settle(sqs, service_sqs, mapping, batch, {m["MessageId"] for m in batch})
            elif batch:
                failed = failed_records(lambda_client, mapping, batch)
                settle(sqs, service_sqs, mapping, batch, failed)
                LOG.info("%s: batch of %d, %d back to the queue", mapping.function_arn, len(batch), len(failed))
        except (BotoCoreError, ClientError):
            # The endpoint went away (a restart of the front or the engine): as Lambda's ESM, keep polling. What
            # was received and not settled comes back after its visibility timeout.
            LOG.exception("polling %s failed; retrying in %s s", mapping.queue_url, RETRY_PAUSE_SECONDS)
            stop.wait(RETRY_PAUSE_SECONDS)


def run(stop: threading.Event) -> list[threading.Thread]:
    """Start the pollers of every durable mapping; return their threads."""
    mappings = durable_mappings(client("lambda"), client("sqs"))
    if not mappings:
        LOG.warning("no SQS event source mapping targets a durable function: nothing to poll")
    threads = []
    for mapping in mappings:
        LOG.info("delivering %s", mapping)
        for _ in range(mapping.maximum_concurrency):
            thread = threading.Thread(target=poll, args=(mapping, stop), daemon=True)
            thread.start()
            threads.append(thread)
    return threads


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    threads = run(stop)
    for thread in threads:
        thread.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
