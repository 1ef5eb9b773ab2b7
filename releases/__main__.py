"""``python -m releases canary|promote|abort --outputs FILE --function KEY``: judge, promote or withdraw a canary.

canary   with a canary in progress (the alias routes a share to a second version): bake, judge, then promote or
         withdraw it at once; report; exit 1 when withdrawn. Without one: record the version the alias serves as
         stable (after an all-at-once release) and exit 0.
promote  send every new execution to the canary (or, with none in progress, to the version this configuration
         published) and record it as stable.
abort    send every new execution back to the stable version and record the canary's configuration as withdrawn.

Each command leaves the decision in the release record Terraform reads; `make canary|promote|abort` then apply, so
that the stack states what the controller did (docs/releases.md).
"""

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from scripts import workloads

from releases import report
from releases.controller import Controller, Observation, Release, now
from releases.judge import Verdict

DRAIN_SECONDS = 900  # the canary's executions in flight are waited for at most this long (an ESM execution's limit)


def canary_window_start(ctl: Controller, version: str) -> datetime:
    """When the canary version was published: none of its executions started earlier."""
    config = ctl.functions.get_function_configuration(FunctionName=ctl.release.function_name, Qualifier=version)
    return datetime.fromisoformat(config["LastModified"])


def stale_outputs(release: Release, canary: str) -> None:
    """The release record is keyed by the release id of the outputs' version: they must describe the canary."""
    if canary != release.candidate_version:
        msg = (
            f"{release.function_name}: the alias routes to version {canary} but the outputs describe version "
            f"{release.candidate_version}; read the outputs of the environment as applied now (make outputs)"
        )
        raise SystemExit(msg)


def write(result: dict[str, Any], report_path: Path | None, summary_path: Path | None) -> None:
    text = report.table(result)
    print(text)
    if report_path:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(json.dumps(result, indent=2) + "\n")
        print(f"report: {report_path}")
    if summary_path:
        with summary_path.open("a") as summary:
            summary.write(text)


def run_canary(ctl: Controller, args: argparse.Namespace, report_path: Path | None) -> int:
    stable, weights = ctl.alias()
    release = ctl.release
    if not weights:
        if stable == release.candidate_version:
            ctl.record_stable(stable, release.release_id)
        print(f"{release.function_name}: no canary in progress; alias {release.alias_name} serves version {stable}")
        return 0
    (canary, share), *_ = weights.items()
    stale_outputs(release, canary)
    since = canary_window_start(ctl, canary)
    print(
        f"{release.function_name}: canary version {canary} takes {share:.0%} of new executions; stable {stable}; "
        f"baking up to {release.criteria.bake_seconds} s"
    )

    def progress(observation: Observation, verdict: Verdict) -> None:
        if args.verbose:
            c, s = observation.tally(canary), observation.tally(stable)
            print(f"  {now().isoformat()} canary {c.as_dict()} stable {s.as_dict()}: {verdict.reason}", flush=True)

    verdict, observation = ctl.bake(stable, canary, since, on_poll=progress)
    decision = {"canary_version": canary, "reason": verdict.reason, "signal": verdict.signal}
    if verdict.decision == "withdraw":
        decided_at = ctl.point_alias_at(stable)
        ctl.record_withdrawn(release.release_id, {**decision, "decision": "withdrawn", "at": decided_at.isoformat()})
        print(f"withdrawn at {decided_at.isoformat()}: {verdict.reason}; waiting for its executions in flight")
        drained = ctl.drain(canary, since, args.drain_seconds)
    else:
        decided_at = ctl.point_alias_at(canary)
        ctl.record_stable(
            canary, release.release_id, {**decision, "decision": "promoted", "at": decided_at.isoformat()}
        )
        drained = None
    transitions = ctl.alarm_transitions(since)
    result = report.build(
        release.key, stable, canary, share, since, verdict, decided_at, observation, drained, transitions
    )
    write(result, report_path, args.summary)
    return 0 if verdict.decision == "promote" else 1


def run_manual(ctl: Controller, command: str) -> int:
    stable, weights = ctl.alias()
    release = ctl.release
    canary = next(iter(weights), None)
    if canary:
        stale_outputs(release, canary)
    decision = {"decision": command, "by": "person", "at": now().isoformat()}
    if command == "promote":
        target = canary or release.candidate_version
        ctl.point_alias_at(target)
        ctl.record_stable(target, release.release_id, {**decision, "canary_version": target})
        print(f"{release.function_name}: alias {release.alias_name} now sends every new execution to version {target}")
        return 0
    if canary is None:
        print(f"{release.function_name}: no canary in progress (alias serves {stable}); `make rollback` moves it back")
        return 0
    ctl.point_alias_at(stable)
    ctl.record_withdrawn(release.release_id, {**decision, "canary_version": canary})
    print(f"{release.function_name}: canary version {canary} withdrawn; every new execution goes to version {stable}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("command", choices=["canary", "promote", "abort"])
    parser.add_argument("--outputs", type=Path, required=True, help="JSON of the environment's root outputs")
    parser.add_argument("--function", help="durable function key, e.g. order-processor (canary: default all)")
    parser.add_argument("--report-dir", type=Path, help="write each decision's JSON report here (<function>.json)")
    parser.add_argument("--summary", type=Path, help="append the report tables here (e.g. $GITHUB_STEP_SUMMARY)")
    parser.add_argument("--drain-seconds", type=float, default=DRAIN_SECONDS)
    parser.add_argument("--verbose", action="store_true", help="print what each poll saw")
    args = parser.parse_args(argv)
    outputs = workloads.read_outputs(args.outputs)
    settings = workloads.client_settings(outputs)
    if args.command != "canary":
        if not args.function:
            parser.error(f"{args.command} needs --function")
        return run_manual(Controller(Release.from_outputs(outputs, args.function), settings), args.command)
    status = 0
    for key in [args.function] if args.function else sorted(outputs["durable_releases"]):
        report_path = args.report_dir / f"{key}.json" if args.report_dir else None
        status = max(status, run_canary(Controller(Release.from_outputs(outputs, key), settings), args, report_path))
    return status


if __name__ == "__main__":
    sys.exit(main())
