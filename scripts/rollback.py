"""Point a function's ``live`` alias back at the version before the one it serves now, and say which.

Durable executions keep running on the version they started on (every deploy publishes a new version and old
versions are kept), so moving the alias only changes where *new* executions and new queue batches go.

This is an emergency lever: the alias now differs from what the CloudFormation stack recorded. A ``make apply``
that changes nothing for this function leaves it there; the next apply that changes the function publishes a new
version and moves the alias onto it. Revert the code, then apply, to make the rollback permanent.
"""

import argparse
import sys
from pathlib import Path
from typing import Any

import boto3

import workloads

ALIAS = "live"


def previous_version(client: Any, function_name: str, current: str) -> str:
    """The highest published version below ``current``."""
    versions: list[int] = []
    for page in client.get_paginator("list_versions_by_function").paginate(FunctionName=function_name):
        versions += [int(v["Version"]) for v in page["Versions"] if v["Version"].isdigit()]
    older = [version for version in versions if version < int(current)]
    if not older:
        msg = f"{function_name}: alias {ALIAS} serves version {current}, and there is no earlier version"
        raise SystemExit(msg)
    return str(max(older))


def rollback(client: Any, function_name: str) -> tuple[str, str]:
    current = client.get_alias(FunctionName=function_name, Name=ALIAS)["FunctionVersion"]
    target = previous_version(client, function_name, current)
    client.update_alias(FunctionName=function_name, Name=ALIAS, FunctionVersion=target)
    return current, target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--outputs", type=Path, required=True, help="JSON of the environment's root outputs")
    parser.add_argument("--function", required=True, help="function key, e.g. order-processor")
    args = parser.parse_args(argv)
    outputs = workloads.read_outputs(args.outputs)
    names: dict[str, str] = outputs["function_names"]
    if args.function not in names:
        raise SystemExit(f"unknown function {args.function!r}; one of: {', '.join(sorted(names))}")
    function_name = names[args.function]
    current, target = rollback(boto3.client("lambda", **workloads.client_settings(outputs)), function_name)
    print(f"{function_name}: alias {ALIAS} moved from version {current} back to version {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
