"""``make record``: run every scenario on the local environment and write its recording.

Needs ``make up`` and ``make apply ENV=local`` (on the port AWS_ENDPOINT_URL names). Each scenario is one Invoke of
the function's ``live`` alias with a DurableExecutionName, started asynchronously; the recorder waits until
GetDurableExecution says the execution ended, reads GetDurableExecutionHistory with its data (every page), checks
the scenario did what it is meant to show (a rejected order released its stock, the poison record failed alone, …)
and writes replay/recordings/<workflow>/<scenario>.json.

The operations are the execution's checkpoint state rebuilt from its history events by the testing SDK's
``events_to_operations`` (what AWS's DurableFunctionCloudTestRunner does). GetDurableExecutionState cannot be used:
on AWS as in the local engine it answers only while an invocation runs, to the holder of its checkpoint token.

    python -m replay.record --outputs build/outputs-local.json [--only order-processor/confirmed]
"""

import argparse
import datetime
import json
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from aws_durable_execution_sdk_python_testing.model import GetDurableExecutionHistoryResponse, events_to_operations
from botocore.exceptions import BotoCoreError, ClientError
from scripts.workloads import TERMINAL_STATUSES, alias_arn, history_events, lambda_client, read_outputs

from replay.recording import FORMAT, RECORDINGS, ROOT, dump, path_for, workflows

EXAMPLES = ROOT / "examples"
WAIT_SECONDS = 120.0


def _example(path: str) -> Any:
    return json.loads((EXAMPLES / path).read_text())


def _order(suffix: str, payment_method: str | None = None) -> dict[str, Any]:
    order: dict[str, Any] = _example("orders/sample-ca.json")
    order["orderId"] = f"ORD-REPLAY-{suffix}"  # fresh: reservations are idempotent per orderId
    if payment_method is not None:
        order["customer"]["paymentMethod"] = payment_method
    return order


def _sqs_event(*records: tuple[str, str]) -> dict[str, Any]:
    """An event source mapping's SQS batch, as Lambda's ESM hands it to the function."""
    return {
        "Records": [
            {
                "messageId": message_id,
                "receiptHandle": f"replay-{message_id}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:local-data-processing-queue",
                "awsRegion": "us-east-1",
            }
            for message_id, body in records
        ]
    }


def _pipeline_batch(suffix: str) -> dict[str, Any]:
    good = (EXAMPLES / "pipeline" / "good.json").read_text().strip()
    poison = (EXAMPLES / "pipeline" / "not-json.txt").read_text().strip()
    return _sqs_event((f"good-{suffix}", good), (f"poison-{suffix}", poison))


def _named(recording: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((op for op in recording["operations"] if op.get("Name") == name), None)


def _expect_confirmed(recording: dict[str, Any], _history: list[dict[str, Any]]) -> str | None:
    result = recording["execution"]["result"]
    if not (isinstance(result, dict) and result.get("success") is True):
        return f"the order was not confirmed: {result!r}"
    return None


def _expect_release(recording: dict[str, Any], history: list[dict[str, Any]]) -> str | None:
    result = recording["execution"]["result"]
    if not (isinstance(result, dict) and result.get("success") is False):
        return f"the order was not rejected: {result!r}"
    if [f.get("step") for f in result.get("failures", [])] != ["payment"]:
        return f"expected payment alone to refuse, got {result.get('failures')!r}"
    release = _named(recording, "release-inventory")
    if release is None or release.get("Status") != "SUCCEEDED":
        return f"no succeeded release-inventory operation in the state: {release!r}"
    if not any(e.get("Name") == "release-inventory" and e["EventType"] == "ChainedInvokeSucceeded" for e in history):
        return "the history shows no ChainedInvokeSucceeded of release-inventory"
    return None


def _expect_invalid(recording: dict[str, Any], _history: list[dict[str, Any]]) -> str | None:
    result = recording["execution"]["result"]
    if not (isinstance(result, dict) and result.get("error", {}).get("name") == "ValidationError"):
        return f"expected the documented ValidationError, got {result!r}"
    return None


def _expect_result(expected: Any) -> Callable[[dict[str, Any], list[dict[str, Any]]], str | None]:
    def check(recording: dict[str, Any], _history: list[dict[str, Any]]) -> str | None:
        result = recording["execution"]["result"]
        return None if result == expected else f"expected {expected!r}, got {result!r}"

    return check


def _expect_succeeded(_recording: dict[str, Any], _history: list[dict[str, Any]]) -> str | None:
    return None  # a scenario declared with its function: the execution ended SUCCEEDED, nothing more to show


def _expect_poison_alone(recording: dict[str, Any], _history: list[dict[str, Any]]) -> str | None:
    result = recording["execution"]["result"]
    poison = recording["input"]["Records"][1]["messageId"]
    if not isinstance(result, dict) or result.get("batchItemFailures") != [{"itemIdentifier": poison}]:
        return f"expected the poison record alone in batchItemFailures, got {result!r}"
    if result.get("summary", {}).get("stored") != 1:
        return f"expected the good record stored, got {result.get('summary')!r}"
    return None


@dataclass(frozen=True)
class Scenario:
    workflow: str
    name: str
    description: str
    payload: Callable[[str], Any]  # from a fresh suffix
    expect: Callable[[dict[str, Any], list[dict[str, Any]]], str | None]  # the problem, or None

    @property
    def key(self) -> str:
        return f"{self.workflow}/{self.name}"


# The shipped workflows' scenarios, each with the payload it needs and what it must show; a workload's own
# scenarios are declared with its durable function (functions/<package>/workload.json, "scenarios").
BUILT_IN = (
    Scenario(
        "order-processor",
        "confirmed",
        "examples/orders/sample-ca.json with a fresh orderId: every worker agrees, wait, finalize",
        _order,
        _expect_confirmed,
    ),
    Scenario(
        "order-processor",
        "rejected-saga-release",
        "the sample order paid in bitcoin: stock reserved, payment declined, release-inventory (saga) runs",
        lambda suffix: _order(suffix, payment_method="bitcoin"),
        _expect_release,
    ),
    Scenario(
        "order-processor",
        "invalid",
        "examples/orders/invalid.json: the ValidationError from validate-order, no worker runs",
        lambda _suffix: _example("orders/invalid.json"),
        _expect_invalid,
    ),
    Scenario(
        "parallel-math",
        "success",
        "examples/math/ten-five.json: the four steps succeed",
        lambda _suffix: _example("math/ten-five.json"),
        _expect_result({"Add": 15, "Subtract": 5, "Multiply": 50, "Division": 2.0}),
    ),
    Scenario(
        "parallel-math",
        "division-by-zero",
        "examples/math/divide-by-zero.json: the division branch fails, the documented error",
        lambda _suffix: _example("math/divide-by-zero.json"),
        _expect_result({"error_details": "One or more operations failed"}),
    ),
    Scenario(
        "data-pipeline",
        "good-and-poison",
        "an SQS batch of examples/pipeline/good.json and not-json.txt, invoked on the alias as the ESM does",
        _pipeline_batch,
        _expect_poison_alone,
    ),
)


def _payload_file(path: str) -> Callable[[str], Any]:
    return lambda _suffix: json.loads((ROOT / path).read_text())


def declared_scenarios() -> tuple[Scenario, ...]:
    """The scenarios declared with the durable functions: their example payload, expected to succeed."""
    return tuple(
        Scenario(fn, s.name, s.description, _payload_file(s.payload), _expect_succeeded)
        for fn, function in workflows().items()
        for s in function.scenarios
    )


def scenarios() -> tuple[Scenario, ...]:
    """Every scenario; ValueError naming the declared workflows that have none (the gate would not cover them)."""
    found = BUILT_IN + declared_scenarios()
    without = sorted(set(workflows()) - {s.workflow for s in found})
    if without:
        msg = (
            f"no scenario records {', '.join(without)}: declare one with the durable function "
            '(functions/<package>/workload.json, "scenarios": {"<name>": {"payload": ..., "description": ...}})'
        )
        raise ValueError(msg)
    return found


def json_ready(value: Any) -> Any:
    """boto3's answer in JSON: datetimes as Unix milliseconds (as the durable invocation input carries them)."""
    if isinstance(value, datetime.datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [json_ready(v) for v in value]
    return value


def _wait_for_end(client: Any, arn: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        execution: dict[str, Any] = client.get_durable_execution(DurableExecutionArn=arn)
        if execution["Status"] in TERMINAL_STATUSES:
            return execution
        if time.monotonic() > deadline:
            msg = f"execution {arn} still {execution['Status']} after {WAIT_SECONDS:.0f} s"
            raise TimeoutError(msg)
        time.sleep(0.5)


def record(scenario: Scenario, outputs: dict[str, Any], client: Any) -> dict[str, Any]:
    """Run the scenario once and return its recording; RuntimeError when it did not show what it should."""
    workflow = workflows()[scenario.workflow]
    suffix = uuid.uuid4().hex[:8]
    payload = scenario.payload(suffix)
    function = alias_arn(outputs, scenario.workflow)
    started = client.invoke(
        FunctionName=function,
        InvocationType="Event",
        DurableExecutionName=f"replay-{scenario.workflow}-{scenario.name}-{suffix}",
        Payload=json.dumps(payload).encode(),
    )
    arn = started["DurableExecutionArn"]
    execution = _wait_for_end(client, arn)
    history = history_events(outputs, arn, include_data=True)
    state = [
        op.to_json_dict()
        for op in events_to_operations(GetDurableExecutionHistoryResponse.from_dict({"Events": history}).events)
    ]
    raw_result = execution.get("Result")
    recording: dict[str, Any] = {
        "format": FORMAT,
        "workflow": scenario.workflow,
        "scenario": scenario.name,
        "description": scenario.description,
        "handler": f"{workflow.module}:{workflow.attribute}",
        "captured": {
            "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "function": function,
            "function_version": execution.get("Version"),
            "execution_arn": arn,
            "sdk": metadata.version("aws-durable-execution-sdk-python"),
            "engine": "dex-local-runner " + metadata.version("aws-durable-execution-sdk-python-testing"),
        },
        "input": payload,
        "execution": {
            "status": execution["Status"],
            "result": json.loads(raw_result) if raw_result else None,
            "error": json_ready(execution.get("Error")),
        },
        "operations": json_ready(state),
    }
    problem = scenario.expect(recording, history) if execution["Status"] == "SUCCEEDED" else execution.get("Error")
    if problem:
        msg = f"{scenario.key}: the execution {arn} did not show what the scenario records: {problem}"
        raise RuntimeError(msg)
    return recording


HINT = "start it with `make up`, deploy with `make apply ENV=local`, then `make record`"


def _chosen(outputs: dict[str, Any], only: list[str], source: Path) -> list[Scenario]:
    """The scenarios to record (``only``, default all); ValueError saying what to do first."""
    if outputs.get("environment") != "local" or "workloads" not in outputs:
        msg = f"no local deployment in {source}: {HINT}"
        raise ValueError(msg)
    known = scenarios()
    undeployed = sorted(set(workflows()) - set(outputs["workloads"]))
    if undeployed:
        msg = f"{', '.join(undeployed)} not deployed locally: run `make apply ENV=local`"
        raise ValueError(msg)
    unknown = set(only) - {s.key for s in known}
    if unknown:
        msg = f"unknown scenarios {sorted(unknown)}; known: {[s.key for s in known]}"
        raise ValueError(msg)
    return [s for s in known if not only or s.key in only]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--outputs", type=Path, required=True, help="JSON of the local environment's root outputs")
    parser.add_argument("--only", action="append", default=[], help="workflow/scenario to record (repeatable)")
    parser.add_argument("--into", type=Path, default=RECORDINGS, help="recordings folder")
    args = parser.parse_args(argv)

    try:
        outputs = read_outputs(args.outputs)
    except (OSError, ValueError):
        outputs = {}
    try:
        chosen = _chosen(outputs, args.only, args.outputs)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    client = lambda_client(outputs)
    for scenario in chosen:
        started = time.monotonic()
        try:
            recording = record(scenario, outputs, client)
        except (BotoCoreError, ClientError, TimeoutError) as error:
            print(f"error: {scenario.key}: {error}\n({HINT})", file=sys.stderr)
            return 1
        except RuntimeError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        path = path_for(scenario.workflow, scenario.name, args.into)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump(recording))
        print(
            f"recorded {scenario.key}: {recording['execution']['status']}, "
            f"{len(recording['operations'])} operations, {time.monotonic() - started:.1f} s -> "
            f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
