"""Which deployed functions are durable, read back from what Terraform deployed to the emulator.

ministack's CloudFormation creates the durable functions but drops their ``DurableConfig``, so the Lambda API of
the emulator cannot say which functions are durable. The CloudFormation templates Terraform applied still carry
it: every ``AWS::Lambda::Function`` resource with a ``DurableConfig`` in a deployed stack is a durable function,
and its physical id is the function name. Nothing here is a hand-kept list.

``python -m local.durable_functions engine-config`` prints the ``--function-configs`` JSON of the durable engine:
every function deployed in the emulator, durable ones with their ``DurableConfig`` (Lambda's own shape).
"""

import argparse
import json
import sys
from dataclasses import dataclass
from typing import Any

from local.aws import client

LIVE_STACK_STATUSES = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE")


@dataclass(frozen=True)
class DurableConfig:
    """A durable function's ``DurableConfig``: total execution time and history retention."""

    execution_timeout: int
    retention_period_days: int

    def as_lambda_shape(self) -> dict[str, int]:
        return {"ExecutionTimeout": self.execution_timeout, "RetentionPeriodInDays": self.retention_period_days}


def _template(cfn: Any, stack_name: str) -> dict[str, Any]:
    body = cfn.get_template(StackName=stack_name, TemplateStage="Original")["TemplateBody"]
    return body if isinstance(body, dict) else json.loads(body)


def durable_functions(cfn: Any | None = None) -> dict[str, DurableConfig]:
    """Function name -> DurableConfig of every durable function in a deployed CloudFormation stack."""
    cfn = cfn or client("cloudformation")
    found: dict[str, DurableConfig] = {}
    for page in cfn.get_paginator("list_stacks").paginate(StackStatusFilter=list(LIVE_STACK_STATUSES)):
        for summary in page["StackSummaries"]:
            resources = _template(cfn, summary["StackName"]).get("Resources", {})
            durable = {
                logical: properties["DurableConfig"]
                for logical, resource in resources.items()
                if resource.get("Type") == "AWS::Lambda::Function"
                and isinstance(properties := resource.get("Properties", {}), dict)
                and isinstance(properties.get("DurableConfig"), dict)
            }
            if not durable:
                continue
            physical = {
                r["LogicalResourceId"]: r["PhysicalResourceId"]
                for r in cfn.describe_stack_resources(StackName=summary["StackName"])["StackResources"]
            }
            for logical, config in durable.items():
                name = physical.get(logical, "").split(":function:")[-1]
                if name:
                    found[name] = DurableConfig(
                        execution_timeout=int(config.get("ExecutionTimeout", 900)),
                        retention_period_days=int(config.get("RetentionPeriodInDays", 14)),
                    )
    return found


def engine_function_configs(lambda_client: Any | None = None, cfn: Any | None = None) -> dict[str, Any]:
    """The durable engine's ``--function-configs``: every deployed function, durable ones with DurableConfig."""
    lambda_client = lambda_client or client("lambda")
    durable = durable_functions(cfn)
    configs: dict[str, Any] = {}
    for page in lambda_client.get_paginator("list_functions").paginate():
        for function in page["Functions"]:
            name = function["FunctionName"]
            configs[name] = {"DurableConfig": durable[name].as_lambda_shape()} if name in durable else {}
    return dict(sorted(configs.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("engine-config", help="print the durable engine's --function-configs JSON")
    commands.add_parser("list", help="print the durable functions and their DurableConfig")
    args = parser.parse_args(argv)
    if args.command == "engine-config":
        print(json.dumps(engine_function_configs(), indent=2))
    else:
        print(json.dumps({name: c.as_lambda_shape() for name, c in sorted(durable_functions().items())}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
