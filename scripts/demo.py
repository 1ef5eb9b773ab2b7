"""The example scenarios against a deployed environment (``make demo`` runs it on the local one), with a summary.

Orders (CA sample, NY, TX bulk, invalid), math (10/5, 10/0, {}), and the pipeline (good and bad messages, followed
until every good one is stored and every bad one is in the DLQ). Exit status 0 when every scenario behaved as
the contract says, 1 otherwise.
"""

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3

import workloads

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def check_order(expected_total: float | None) -> Callable[[Any], str | None]:
    def check(response: Any) -> str | None:
        if expected_total is None:
            return None if response.get("error", {}).get("name") == "ValidationError" else "expected a ValidationError"
        total = response.get("result", {}).get("totals", {}).get("total")
        return None if response.get("success") and total == expected_total else f"expected total {expected_total}"

    return check


def check_equals(expected: Any) -> Callable[[Any], str | None]:
    return lambda response: None if response == expected else f"expected {json.dumps(expected)}"


MATH_ERROR = {"error_details": "One or more operations failed"}
INVOKES = [
    ("order CA sample", "order-processor", "orders/sample-ca.json", check_order(130.68)),
    ("order NY", "order-processor", "orders/new-york.json", check_order(112.24)),
    ("order TX bulk", "order-processor", "orders/bulk-texas.json", check_order(389.63)),
    ("order invalid", "order-processor", "orders/invalid.json", check_order(None)),
    (
        "math 10/5",
        "parallel-math",
        "math/ten-five.json",
        check_equals({"Add": 15, "Subtract": 5, "Multiply": 50, "Division": 2.0}),
    ),
    ("math 10/0", "parallel-math", "math/divide-by-zero.json", check_equals(MATH_ERROR)),
    ("math {}", "parallel-math", "math/defaults.json", check_equals(MATH_ERROR)),
]
MESSAGES = [
    ("good", "pipeline/good.json"),
    ("missing data_source", "pipeline/missing-source.json"),
    ("not JSON", "pipeline/not-json.txt"),
]


def describe(response: Any) -> str:
    """One readable line for a response."""
    if not isinstance(response, dict):
        return json.dumps(response)
    result = response.get("result")
    if response.get("success") and isinstance(result, dict):
        shipping, tax = result["shipping"], result["tax"]
        return (
            f"{result['status']} {result['orderId']}: total {result['totals']['total']} "
            f"(subtotal {result['totals']['subtotal']}, {shipping['carrier']} {shipping['cost']} in "
            f"{shipping['estimatedDays']} d, {tax['jurisdiction']} {tax['amount']})"
        )
    if "error" in response and isinstance(response["error"], dict):
        return f"{response['error']['name']} on {response['error']['field']}: {response['error']['message']}"
    if "failures" in response:
        return "rejected: " + "; ".join(f"{f['step']}: {f['reason']}" for f in response["failures"])
    return json.dumps(response)


def say(text: str) -> None:
    print(text, flush=True)


def run_invokes(outputs: dict[str, Any], unique: str) -> list[tuple[str, bool, str]]:
    results = []
    for label, function, example, check in INVOKES:
        payload = json.loads((EXAMPLES / example).read_text())
        if function == "order-processor" and isinstance(payload.get("orderId"), str):
            payload["orderId"] = f"{payload['orderId']}-{unique}"  # a fresh order each demo run
        say(f"  … {label}")
        started = time.monotonic()
        response = workloads.invoke(outputs, function, payload)
        problem = check(response)
        elapsed = time.monotonic() - started
        summary = describe(response)
        say(f"  {'✔' if problem is None else '✘'} {label} ({elapsed:.1f}s): {summary}")
        results.append((label, problem is None, problem or summary))
    return results


def run_pipeline(outputs: dict[str, Any], timeout: float) -> list[tuple[str, bool, str]]:
    settings = workloads.client_settings(outputs)
    sqs = boto3.client("sqs", **settings)
    sent = {}
    for label, example in MESSAGES:
        sent[workloads.send(outputs, (EXAMPLES / example).read_text())] = label
        say(f"  → sent {label} message")
    table = boto3.resource("dynamodb", **settings).Table(outputs["processed_data_table_name"])
    dlq_url = outputs["data_processing_dlq_url"]
    environment = outputs["environment"]
    stored: dict[str, Any] = {}
    dead: set[str] = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(stored) + len(dead) < len(sent):
        for message_id, label in sent.items():
            if message_id not in stored:
                item = table.get_item(Key={"execution_id": f"{environment}-esm-{message_id}"}).get("Item")
                if item:
                    stored[message_id] = item
                    say(f"  ✔ stored {label}: data_source={item['transformed_data']['data_source']}")
        for message in sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10).get("Messages", []):
            if message["MessageId"] in sent and message["MessageId"] not in dead:
                dead.add(message["MessageId"])
                say(f"  ✔ dead-lettered {sent[message['MessageId']]}")
        time.sleep(2)
    expected_stored = {m for m, label in sent.items() if label == "good"}
    ok = set(stored) == expected_stored and dead == set(sent) - expected_stored
    detail = f"{len(sent)} sent = {len(stored)} stored + {len(dead)} dead-lettered"
    return [("pipeline good + bad", ok, detail)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--outputs", type=Path, required=True)
    parser.add_argument("--pipeline-timeout", type=float, default=180)
    args = parser.parse_args(argv)
    outputs = workloads.read_outputs(args.outputs)
    unique = time.strftime("%H%M%S")

    say(f"== Orders and math on {outputs['environment']} (durable executions)")
    results = run_invokes(outputs, unique)
    say("== SQS data pipeline (bad messages reach the DLQ after maxReceiveCount receives)")
    results += run_pipeline(outputs, args.pipeline_timeout)

    say("\n== Summary")
    for label, ok, detail in results:
        say(f"  {'PASS' if ok else 'FAIL'}  {label:<22} {detail}")
    failed = sum(not ok for _, ok, _ in results)
    say(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
