"""Talk to a deployed environment: invoke a durable function on its ``live`` alias, or send a pipeline message.

Reads the environment's root outputs (``make outputs ENV=…`` writes them to build/outputs-<env>.json). For dev and
prod it calls the Lambda and SQS APIs; for ``local`` a durable invoke goes through the local bridge
(environments/local/bridge.py), because the emulator cannot run durable executions itself.

stdout carries only the function's JSON response (``invoke``) or the sent message id (``send``).
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import boto3

# FN=… names, mapped to the root output holding the function's qualified alias ARN.
FUNCTIONS = {
    "order-processor": "order_processor_alias_arn",
    "parallel-math": "parallel_math_alias_arn",
    "data-pipeline": "data_pipeline_alias_arn",
}


def read_outputs(path: Path) -> dict[str, Any]:
    raw = json.loads(path.read_text())
    return {name: entry["value"] for name, entry in raw.items()}


def invoke(outputs: dict[str, Any], function: str, payload: Any) -> Any:
    alias_arn = outputs[FUNCTIONS[function]]
    if outputs.get("environment") == "local":
        bridge = _bridge()
        stdout, sys.stdout = sys.stdout, sys.stderr  # handler logs to stderr; stdout is the response only
        try:
            return bridge.run(alias_arn, payload)
        finally:
            sys.stdout = stdout
    response = boto3.client("lambda", **client_settings(outputs)).invoke(
        FunctionName=alias_arn, Payload=json.dumps(payload).encode()
    )
    body = json.loads(response["Payload"].read() or b"null")
    if response.get("FunctionError"):
        raise RuntimeError(f"{function} failed: {json.dumps(body)}")
    return body


def client_settings(outputs: dict[str, Any]) -> dict[str, Any]:
    """boto3 client arguments for the environment: the emulator, configured as the bridge configures its own, for
    ``local``; none (the current credentials and region) otherwise."""
    if outputs.get("environment") != "local":
        return {}
    bridge = _bridge()
    return {"endpoint_url": bridge.ENDPOINT, "region_name": bridge.REGION, **bridge.LOCAL_CREDENTIALS}


def _bridge() -> Any:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "environments" / "local"))
    import bridge  # noqa: PLC0415 - local-only, and it imports the testing runner

    return bridge


def send(outputs: dict[str, Any], body: str) -> str:
    sqs = boto3.client("sqs", **client_settings(outputs))
    message_id: str = sqs.send_message(QueueUrl=outputs["data_processing_queue_url"], MessageBody=body)["MessageId"]
    return message_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--outputs", type=Path, required=True, help="JSON of the environment's root outputs")
    commands = parser.add_subparsers(dest="command", required=True)
    invoke_cmd = commands.add_parser("invoke")
    invoke_cmd.add_argument("--function", choices=sorted(FUNCTIONS), required=True)
    invoke_cmd.add_argument("--payload", type=Path, required=True)
    send_cmd = commands.add_parser("send")
    send_cmd.add_argument("--payload", type=Path, required=True, help="file whose content is the message body")
    args = parser.parse_args(argv)

    outputs = read_outputs(args.outputs)
    if args.command == "invoke":
        print(json.dumps(invoke(outputs, args.function, json.loads(args.payload.read_text()))))
    else:
        print(send(outputs, args.payload.read_text()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
