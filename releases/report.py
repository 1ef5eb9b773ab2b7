"""What a release decision leaves behind: a JSON report (build/) and the same figures as a table."""

from datetime import datetime
from typing import Any

from releases.controller import AlarmTransition, Execution, Observation
from releases.judge import Verdict


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def execution_row(e: Execution) -> dict[str, Any]:
    return {
        "name": e.name,
        "arn": e.arn,
        "version": e.version,
        "status": e.status,
        "failed": e.failed,
        "started": iso(e.started),
        "ended": iso(e.ended),
    }


def transition_row(t: AlarmTransition) -> dict[str, Any]:
    return {"alarm": t.alarm, "at": iso(t.at), "from": t.old_state, "to": t.new_state, "reason": t.reason}


def build(  # noqa: PLR0917 - the facts of one decision
    function: str,
    stable: str,
    canary: str,
    share: float,
    window_start: datetime,
    verdict: Verdict,
    decided_at: datetime,
    observation: Observation,
    drained: list[Execution] | None,
    alarm_transitions: list[AlarmTransition],
) -> dict[str, Any]:
    """The report of one canary decision. ``drained``: the canary's executions after they all ended (a withdrawal);
    ``alarm_transitions``: the canary's alarms' state changes from the window's start to the report."""
    canary_runs = observation.of(canary)
    failures = sorted(e.ended for e in canary_runs if e.failed and e.ended)
    first_failure = failures[0] if failures else None
    after = drained if drained is not None else canary_runs
    return {
        "function": function,
        "stable_version": stable,
        "canary_version": canary,
        "canary_share": share,
        "window_start": iso(window_start),
        "decision": "promoted" if verdict.decision == "promote" else "withdrawn",
        "signal": verdict.signal,
        "reason": verdict.reason,
        "decided_at": iso(decided_at),
        "first_failed_canary_execution_at": iso(first_failure),
        "decision_latency_seconds": round((decided_at - first_failure).total_seconds(), 3) if first_failure else None,
        "alarms_in_alarm": verdict.alarms_in_alarm,
        "alarm_transitions": [transition_row(t) for t in alarm_transitions],
        "first_alarm_at": iso(next((t.at for t in alarm_transitions if t.new_state == "ALARM"), None)),
        "versions": {
            stable: observation.tally(stable).as_dict(),
            canary: observation.tally(canary).as_dict(),
        },
        "canary_executions_in_flight_at_decision": [
            execution_row(e) for e in canary_runs if e.status not in ("SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED")
        ],
        "canary_executions": [execution_row(e) for e in sorted(after, key=lambda e: e.started)],
        "canary_executions_started_after_decision": [execution_row(e) for e in after if e.started > decided_at],
    }


def table(report: dict[str, Any]) -> str:
    """The report as a Markdown table (printed, and appended to a CI job summary)."""
    lines = [
        f"### Canary of {report['function']}: version {report['canary_version']} **{report['decision']}**",
        "",
        f"{report['reason']} (signal: {report['signal']}; decided {report['decided_at']}).",
        "",
        "| version | role | started | finished | failed | running | failure rate |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for version, role in ((report["stable_version"], "stable"), (report["canary_version"], "canary")):
        v = report["versions"][version]
        rate = "-" if v["failure_rate"] is None else f"{v['failure_rate']:.0%}"
        lines.append(
            f"| {version} | {role} | {v['started']} | {v['finished']} | {v['failed']} | {v['running']} | {rate} |"
        )
    lines.append("")
    if report["decision_latency_seconds"] is not None:
        lines.append(
            f"Decision latency: {report['decision_latency_seconds']} s, from the first failed canary execution "
            f"(ended {report['first_failed_canary_execution_at']}) to the alias's return ({report['decided_at']})."
        )
    transitions = report["alarm_transitions"]
    lines.append(f"Canary alarm transitions since the canary was published: {len(transitions) or 'none'}")
    lines += [f"- {t['at']} {t['alarm']}: {t['from']} -> {t['to']} ({t['reason']})" for t in transitions]
    in_flight = report["canary_executions_in_flight_at_decision"]
    if report["decision"] == "withdrawn":
        ended = {e["arn"]: e["status"] for e in report["canary_executions"]}
        lines.append(f"{len(in_flight)} canary executions were in flight at the decision; they finished on it:")
        lines += [f"- {e['name']}: {ended.get(e['arn'], e['status'])}" for e in in_flight]
        lines.append(
            f"Canary executions started after the decision: {len(report['canary_executions_started_after_decision'])}."
        )
    return "\n".join(lines) + "\n"
