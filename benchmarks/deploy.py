"""`make apply ENV=local` from an empty emulator, timed, and the plan right after it (which must change nothing).

Opt-in (``--apply``; `make bench BENCH_APPLY=1`): it runs `make down` first, which discards the local emulator's
state, and takes minutes (the emulator creates each SQS queue in about 25 s).
"""

import json
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import env

PLAN_JSON = env.BUILD / "plan-local.json"


@dataclass
class Deploy:
    apply_seconds: float | None = None
    replan_changes: int | None = None
    changes: list[str] = field(default_factory=list)
    reason: str = ""


def make(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", *args], cwd=env.ROOT, capture_output=True, text=True, check=False)  # noqa: S603, S607


def plan_changes(plan_json: Path) -> list[str]:
    """Resource changes whose actions are not ["no-op"] in a `terraform show -json` plan, as "address actions"."""
    plan = json.loads(plan_json.read_text())
    return [
        f"{change['address']} {'/'.join(change['change']['actions'])}"
        for change in plan.get("resource_changes", [])
        if change["change"]["actions"] != ["no-op"]
    ]


def _failure(step: str, output: str) -> str:
    tail = " | ".join(output.strip().splitlines()[-3:])
    return f"`make {step}` failed: {tail}"


def apply_local() -> Deploy:
    down = make("down", "ENV=local")
    if down.returncode != 0:
        return Deploy(reason=_failure("down", down.stderr or down.stdout))
    up = make("up", "ENV=local")
    if up.returncode != 0:
        return Deploy(reason=_failure("up", up.stderr or up.stdout))
    start = time.perf_counter()
    applied = make("apply", "ENV=local")
    seconds = time.perf_counter() - start
    if applied.returncode != 0:
        return Deploy(reason=_failure("apply ENV=local", applied.stderr or applied.stdout))
    PLAN_JSON.unlink(missing_ok=True)
    planned = make("plan", "ENV=local")
    if planned.returncode != 0 or not PLAN_JSON.is_file():
        return Deploy(apply_seconds=seconds, reason=_failure("plan ENV=local", planned.stderr or planned.stdout))
    changes = plan_changes(PLAN_JSON)
    return Deploy(apply_seconds=seconds, replan_changes=len(changes), changes=changes)
