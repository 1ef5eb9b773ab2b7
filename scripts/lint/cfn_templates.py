"""Write the CloudFormation template of every aws_cloudformation_stack in Terraform plan JSON files to disk.

    python scripts/lint/cfn_templates.py --out build/cfn build/plan-dev.json build/plan-prod.json

writes build/cfn/<env>/<stack name>.json (env from the file name plan-<env>.json) for `make lint-cfn`, which runs
cfn-lint on them: the durable functions' templates exactly as the dev and prod plans would send them to
CloudFormation. Fails when a plan holds no stack or a template is unknown at plan time, so the lint can never
pass by checking nothing.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

STACK_TYPE = "aws_cloudformation_stack"


def resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every resource of a planned_values module, its child modules' included."""
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from resources(child)


def templates(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Stack name -> parsed template_body of every CloudFormation stack the plan would create or keep."""
    out: dict[str, dict[str, Any]] = {}
    for resource in resources(plan.get("planned_values", {}).get("root_module", {})):
        if resource.get("type") != STACK_TYPE:
            continue
        values = resource.get("values", {})
        body = values.get("template_body")
        if not isinstance(body, str):
            raise SystemExit(f"{resource['address']}: template_body is not known at plan time")
        out[values["name"]] = json.loads(body)
    return out


def environment(plan_path: Path) -> str:
    match = re.fullmatch(r"plan-(.+)\.json", plan_path.name)
    if not match:
        raise SystemExit(f"{plan_path}: expected a file named plan-<env>.json")
    return match[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="directory to write <env>/<stack>.json into")
    parser.add_argument("plans", type=Path, nargs="+", help="plan JSON files (terraform show -json)")
    args = parser.parse_args(argv)

    for plan_path in args.plans:
        env = environment(plan_path)
        found = templates(json.loads(plan_path.read_text()))
        if not found:
            raise SystemExit(f"{plan_path}: no {STACK_TYPE} in the plan")
        target = args.out / env
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for name, template in sorted(found.items()):
            (target / f"{name}.json").write_text(json.dumps(template, indent=2, sort_keys=True) + "\n")
        print(f"{plan_path}: {len(found)} template(s) in {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
