"""Point a function's ``live`` alias back at the version before the one it serves now, and say which.

Durable executions keep running on the version they started on (every deploy publishes a new version and old
versions are kept), so moving the alias only changes where *new* executions and new queue batches go.

Releases are pinned: each version of a durable function names, in its ``*_FUNCTION`` variables, the exact worker
versions it was released with. Rolling the durable function back therefore rolls its workers back too: the
previous version calls the previous release's worker versions (still published; nothing is redeployed). The
script prints them.

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


def pinned_workers(client: Any, function_name: str, version: str) -> dict[str, str]:
    """The ``*_FUNCTION`` variables of one version: the worker versions that version calls."""
    config = client.get_function_configuration(FunctionName=function_name, Qualifier=version)
    variables: dict[str, str] = config.get("Environment", {}).get("Variables", {})
    return {name: value for name, value in sorted(variables.items()) if name.endswith("_FUNCTION")}


def rollback(client: Any, function_name: str) -> tuple[str, str]:
    current = client.get_alias(FunctionName=function_name, Name=ALIAS)["FunctionVersion"]
    target = previous_version(client, function_name, current)
    client.update_alias(FunctionName=function_name, Name=ALIAS, FunctionVersion=target)
    return current, target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--outputs", type=Path, required=True, help="JSON of the environment's root outputs")
    parser.add_argument("--function", required=True, help="FN name or function key, e.g. order-processor")
    args = parser.parse_args(argv)
    outputs = workloads.read_outputs(args.outputs)
    # FN names of the durable functions first, then every function by its key (workers included).
    names: dict[str, str] = {
        **outputs["function_names"],
        **{fn: entry["function_name"] for fn, entry in outputs.get("workloads", {}).items()},
    }
    if args.function not in names:
        raise SystemExit(f"unknown function {args.function!r}; one of: {', '.join(sorted(names))}")
    function_name = names[args.function]
    client = boto3.client("lambda", **workloads.client_settings(outputs))
    current, target = rollback(client, function_name)
    print(f"{function_name}: alias {ALIAS} moved from version {current} back to version {target}")
    workers = pinned_workers(client, function_name, target)
    if workers:
        print(f"version {target} calls the workers it was released with:")
        for name, arn in workers.items():
            print(f"  {name} = {arn}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
