"""Markdown summary of a saved Terraform plan, for a GitHub Actions job summary.

    python .github/scripts/plan_summary.py --env prod --plan-json build/plan-prod.json \
        [--plan-log build/plan-prod.log] [--digest SHA256] [--github-output "$GITHUB_OUTPUT"] >> "$GITHUB_STEP_SUMMARY"

Reads the JSON form of the plan (``terraform show -json``, written by ``make plan`` as build/plan-<env>.json) and
prints: the plan line Terraform itself would print (add/change/destroy), replacements and destroys called out, one
row per changed resource, output changes, and (with --plan-log) the human-readable diff from ``make plan``'s
output, without the refresh noise before it. With --github-output it also writes ``changes=true|false`` so a
workflow can skip an apply that would change nothing. Standard library only: it runs on the runner's Python.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Terraform's human-readable plan starts at one of these lines; everything before it is refresh/read noise.
PLAN_TEXT_MARKERS = (
    "Terraform used the selected providers to generate the following execution plan",
    "Terraform will perform the following actions",
    "No changes.",
)
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
MAX_TABLE_ROWS = 200
MAX_PLAN_TEXT_CHARS = 60_000  # a job summary holds 1 MiB; leave room for the rest of the job's steps


@dataclass
class PlanCounts:
    """What a plan does, counted the way Terraform's ``Plan: …`` line counts (a replacement adds and destroys)."""

    add: int = 0
    change: int = 0
    destroy: int = 0
    replace: int = 0
    forget: int = 0
    imports: int = 0
    outputs_changed: int = 0
    rows: list[tuple[str, str]] = field(default_factory=list)  # (action, address) of every resource change

    @property
    def has_changes(self) -> bool:
        resources = self.add + self.change + self.destroy + self.forget + self.imports
        return resources + self.outputs_changed > 0

    def plan_line(self) -> str:
        return f"Plan: {self.add} to add, {self.change} to change, {self.destroy} to destroy."


def _action(actions: list[str]) -> str | None:
    """One word for a resource change's action list; None for changes that touch nothing (no-op, data reads)."""
    kinds = set(actions)
    if kinds == {"create"}:
        return "create"
    if kinds == {"update"}:
        return "update"
    if kinds == {"delete"}:
        return "delete"
    if kinds == {"delete", "create"}:
        return "replace"
    if kinds == {"forget"}:
        return "forget"
    return None  # ["no-op"], ["read"]


def count_changes(plan: dict[str, Any]) -> PlanCounts:
    counts = PlanCounts()
    for change in plan.get("resource_changes", []):
        detail = change.get("change", {})
        action = _action(detail.get("actions", []))
        if action is None:
            if detail.get("importing"):
                counts.imports += 1
                counts.rows.append(("import", change["address"]))
            continue
        if action == "create":
            counts.add += 1
        elif action == "update":
            counts.change += 1
        elif action == "delete":
            counts.destroy += 1
        elif action == "replace":
            counts.add += 1
            counts.destroy += 1
            counts.replace += 1
        else:
            counts.forget += 1
        counts.rows.append((action, change["address"]))
    for output in plan.get("output_changes", {}).values():
        if set(output.get("actions", [])) - {"no-op"}:
            counts.outputs_changed += 1
    return counts


def plan_text(log: str) -> str:
    """The human-readable plan from ``terraform plan`` output: from its first plan marker on, colours removed."""
    lines = ANSI_ESCAPE.sub("", log).splitlines()
    for index, line in enumerate(lines):
        if line.strip().startswith(PLAN_TEXT_MARKERS):
            lines = lines[index:]
            break
    text = "\n".join(lines).strip()
    if len(text) > MAX_PLAN_TEXT_CHARS:
        text = text[:MAX_PLAN_TEXT_CHARS] + "\n… (truncated: the full plan is in the job log and the plan artifact)"
    return text


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def render(env: str, counts: PlanCounts, *, digest: str | None = None, log: str | None = None) -> str:
    out = [f"## Terraform plan: `{env}`", ""]
    if counts.has_changes:
        out.append(f"**{counts.plan_line()}**")
    else:
        out.append("**No changes.** The infrastructure matches the configuration.")
    extras = []
    if counts.replace:
        extras.append(f"{counts.replace} of them replacements")
    if counts.forget:
        extras.append(f"{counts.forget} removed from state without being destroyed")
    if counts.imports:
        extras.append(f"{counts.imports} imported")
    if counts.outputs_changed:
        extras.append(f"{counts.outputs_changed} output(s) changed")
    if extras:
        out.append(f"({'; '.join(extras)})")
    if counts.destroy:
        out += ["", f"> **Warning:** this plan destroys {counts.destroy} resource(s). Read the list before approving."]
    if digest:
        out += ["", f"Plan digest (plan file and package zips, sha256): `{digest}`"]
    if counts.rows:
        out += ["", "| Action | Resource |", "|---|---|"]
        order = {"delete": 0, "replace": 1, "forget": 2, "update": 3, "create": 4, "import": 5}
        rows = sorted(counts.rows, key=lambda row: (order[row[0]], row[1]))
        out += [f"| {action} | `{address}` |" for action, address in rows[:MAX_TABLE_ROWS]]
        if len(rows) > MAX_TABLE_ROWS:
            out.append(f"| … | {len(rows) - MAX_TABLE_ROWS} more (see the plan artifact) |")
    if log is not None:
        text = plan_text(log)
        fence = _fence(text)
        out += ["", "<details><summary>terraform plan output</summary>", "", f"{fence}text", text, fence, "</details>"]
    out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", required=True)
    parser.add_argument("--plan-json", required=True, type=Path)
    parser.add_argument("--plan-log", type=Path)
    parser.add_argument("--digest")
    parser.add_argument("--github-output", type=Path, help="append changes=true|false to this file")
    args = parser.parse_args(argv)

    counts = count_changes(json.loads(args.plan_json.read_text()))
    log = args.plan_log.read_text(errors="replace") if args.plan_log else None
    sys.stdout.write(render(args.env, counts, digest=args.digest, log=log))
    if args.github_output:
        with args.github_output.open("a") as handle:
            handle.write(f"changes={'true' if counts.has_changes else 'false'}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
