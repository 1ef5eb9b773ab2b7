"""The calls behind a release decision, plain boto3: the same on AWS and on the local endpoint.

- the alias (``GetAlias``/``UpdateAlias``): which version is stable, which one is the canary and its share;
- the executions of each version (``ListDurableExecutionsByFunction`` with the version as qualifier,
  ``GetDurableExecution`` for a finished one's result);
- the canary's own alarms (``DescribeAlarms`` for their state, ``DescribeAlarmHistory`` for their transitions;
  terraform/modules/durable_monitoring creates them per canary version);
- the release record (SSM parameter, terraform/modules/durable_function/release.tf): the decision, written so that
  the next Terraform plan renders the alias exactly as the controller left it.
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3

from releases.judge import Criteria, Tally, Verdict, failed, judge

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"})
WITHDRAWN_KEPT = 10  # release ids of withdrawn releases the record keeps (an SSM String holds 4 KB)


@dataclass(frozen=True)
class Release:
    """One durable function's release, from the root output ``durable_releases``."""

    key: str
    function_name: str
    alias_name: str
    candidate_version: str
    release_id: str
    strategy: str
    record_parameter: str
    canary_alarm_names: list[str]
    criteria: Criteria

    @classmethod
    def from_outputs(cls, outputs: dict[str, Any], key: str) -> "Release":
        releases: dict[str, Any] = outputs["durable_releases"]
        if key not in releases:
            msg = f"unknown durable function {key!r}; one of: {', '.join(sorted(releases))}"
            raise SystemExit(msg)
        r = releases[key]
        return cls(
            key=key,
            function_name=r["function_name"],
            alias_name=r["alias_name"],
            candidate_version=str(r["candidate_version"]),
            release_id=r["release_id"],
            strategy=r["strategy"],
            record_parameter=r["record_parameter"],
            canary_alarm_names=list(r.get("canary_alarm_names") or []),
            criteria=Criteria.from_release(r),
        )


@dataclass(frozen=True)
class AlarmTransition:
    """One state change of an alarm, as CloudWatch's alarm history records it."""

    alarm: str
    at: datetime
    old_state: str
    new_state: str
    reason: str

    @classmethod
    def from_history(cls, item: dict[str, Any]) -> "AlarmTransition":
        """From a ``DescribeAlarmHistory`` item of type ``StateUpdate`` (its ``HistoryData`` is a JSON document
        with ``oldState`` and ``newState``)."""
        data = json.loads(item.get("HistoryData") or "{}")
        return cls(
            alarm=item["AlarmName"],
            at=item["Timestamp"],
            old_state=str(data.get("oldState", {}).get("stateValue", "")),
            new_state=str(data.get("newState", {}).get("stateValue", "")),
            reason=str(data.get("newState", {}).get("stateReason", item.get("HistorySummary", ""))),
        )


@dataclass
class Execution:
    arn: str
    name: str
    version: str
    status: str
    started: datetime
    ended: datetime | None = None
    failed: bool = False


@dataclass
class Observation:
    """Executions per version started since the window opened, and the canary's alarms in ALARM."""

    executions: dict[str, Execution] = field(default_factory=dict)
    alarms_in_alarm: list[str] = field(default_factory=list)

    def of(self, version: str) -> list[Execution]:
        return [e for e in self.executions.values() if e.version == version]

    def tally(self, version: str) -> Tally:
        tally = Tally()
        for e in self.of(version):
            tally.started += 1
            if e.status not in TERMINAL:
                tally.running += 1
            elif e.failed:
                tally.failed += 1
            else:
                tally.succeeded += 1
        return tally


def now() -> datetime:
    return datetime.now(UTC)


def version_of(execution: dict[str, Any]) -> str:
    """The version an execution runs on, as it reports it: the qualifier of its function ARN."""
    return str(execution.get("FunctionArn", "")).rsplit(":", 1)[-1]


class Controller:
    def __init__(self, release: Release, client_settings: dict[str, Any]) -> None:
        self.release = release
        self.functions = boto3.client("lambda", **client_settings)
        self.ssm = boto3.client("ssm", **client_settings)
        self.cloudwatch = boto3.client("cloudwatch", **client_settings)
        self._results: dict[str, bool] = {}  # finished execution ARN -> failed, read once

    # -- the alias --------------------------------------------------------------------------------------------
    def alias(self) -> tuple[str, dict[str, float]]:
        """The alias's primary version and its additional version weights."""
        alias = self.functions.get_alias(FunctionName=self.release.function_name, Name=self.release.alias_name)
        weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
        return str(alias["FunctionVersion"]), {str(v): float(w) for v, w in weights.items()}

    def point_alias_at(self, version: str) -> datetime:
        """All new executions to ``version`` at once (no weights); when the alias answered."""
        self.functions.update_alias(
            FunctionName=self.release.function_name,
            Name=self.release.alias_name,
            FunctionVersion=version,
            RoutingConfig={"AdditionalVersionWeights": {}},
        )
        return now()

    # -- the record Terraform reads ------------------------------------------------------------------------------
    def record(self) -> dict[str, Any]:
        value = self.ssm.get_parameter(Name=self.release.record_parameter)["Parameter"]["Value"]
        record: dict[str, Any] = json.loads(value or "{}")
        record.setdefault("stable", None)
        record.setdefault("withdrawn", [])
        return record

    def write_record(self, record: dict[str, Any]) -> None:
        self.ssm.put_parameter(
            Name=self.release.record_parameter, Value=json.dumps(record, sort_keys=True), Type="String", Overwrite=True
        )

    def record_stable(self, version: str, release_id: str, decision: dict[str, Any] | None = None) -> None:
        record = self.record()
        record["stable"] = {"version": version, "release_id": release_id}
        record["withdrawn"] = [d for d in record["withdrawn"] if d != release_id]
        if decision:
            record["last_decision"] = decision
        self.write_record(record)

    def record_withdrawn(self, release_id: str, decision: dict[str, Any]) -> None:
        record = self.record()
        record["withdrawn"] = [*[d for d in record["withdrawn"] if d != release_id], release_id][-WITHDRAWN_KEPT:]
        record["last_decision"] = decision
        self.write_record(record)

    # -- what the executions say --------------------------------------------------------------------------------
    def executions(self, version: str, since: datetime) -> list[Execution]:
        """Executions started on ``version`` since ``since``. The qualifier narrows the listing to the version on
        AWS; the version each execution reports is checked as well, for Lambda APIs that list them all."""
        found: list[Execution] = []
        paginator = self.functions.get_paginator("list_durable_executions_by_function")
        pages = paginator.paginate(FunctionName=self.release.function_name, Qualifier=version, StartedAfter=since)
        for page in pages:
            for e in page["DurableExecutions"]:
                if version_of(e) != version:
                    continue
                found.append(
                    Execution(
                        arn=e["DurableExecutionArn"],
                        name=e.get("DurableExecutionName", ""),
                        version=version,
                        status=e["Status"],
                        started=e["StartTimestamp"],
                        ended=e.get("EndTimestamp"),
                    )
                )
        return found

    def judged_failed(self, execution: Execution) -> bool:
        """Whether a finished execution failed (its result is read once: only the outcome field needs it)."""
        if execution.arn not in self._results:
            result: Any = None
            outcome_field = self.release.criteria.outcome_field
            if execution.status == "SUCCEEDED" and outcome_field:
                details = self.functions.get_durable_execution(DurableExecutionArn=execution.arn)
                result = json.loads(details.get("Result") or "null")
            self._results[execution.arn] = failed(execution.status, result, outcome_field)
        return self._results[execution.arn]

    def alarms_in_alarm(self, since: datetime) -> list[str]:
        """The canary's alarms that went into ALARM since ``since`` (an alarm still in ALARM from an earlier canary,
        whose dimensions Terraform has since moved to this version, does not count)."""
        names = self.release.canary_alarm_names
        if not names:
            return []
        alarms = self.cloudwatch.describe_alarms(AlarmNames=names)["MetricAlarms"]
        return sorted(
            a["AlarmName"] for a in alarms if a["StateValue"] == "ALARM" and a["StateUpdatedTimestamp"] >= since
        )

    def alarm_transitions(self, since: datetime) -> list[AlarmTransition]:
        """Every state change of the canary's alarms since ``since``, oldest first. (Alarm history timestamps carry
        whole seconds, so the window opens on the second ``since`` falls in.)"""
        paginator = self.cloudwatch.get_paginator("describe_alarm_history")
        transitions = [
            AlarmTransition.from_history(item)
            for name in self.release.canary_alarm_names
            for page in paginator.paginate(
                AlarmName=name,
                HistoryItemType="StateUpdate",
                StartDate=since.replace(microsecond=0),
                ScanBy="TimestampAscending",
            )
            for item in page["AlarmHistoryItems"]
        ]
        return sorted(transitions, key=lambda t: (t.at, t.alarm))

    def observe(self, versions: list[str], since: datetime) -> Observation:
        observation = Observation(alarms_in_alarm=self.alarms_in_alarm(since))
        for version in versions:
            for execution in self.executions(version, since):
                if execution.status in TERMINAL:
                    execution.failed = self.judged_failed(execution)
                observation.executions[execution.arn] = execution
        return observation

    # -- the bake -----------------------------------------------------------------------------------------------
    def bake(
        self,
        stable: str,
        canary: str,
        since: datetime,
        poll_seconds: float = 1.0,
        on_poll: Callable[[Observation, Verdict], None] | None = None,
    ) -> tuple[Verdict, Observation]:
        """Watch both versions from ``since`` until the verdict is taken (at the latest when the bake is over)."""
        deadline = time.monotonic() + self.release.criteria.bake_seconds
        while True:
            observation = self.observe([stable, canary], since)
            verdict = judge(
                observation.tally(canary),
                observation.tally(stable),
                observation.alarms_in_alarm,
                self.release.criteria,
                bake_over=time.monotonic() >= deadline,
            )
            if on_poll:
                on_poll(observation, verdict)
            if verdict.decision:
                return verdict, observation
            time.sleep(poll_seconds)

    def drain(
        self, version: str, since: datetime, timeout_seconds: float, poll_seconds: float = 2.0
    ) -> list[Execution]:
        """Wait until every execution started on ``version`` since ``since`` has ended (or the timeout); them."""
        deadline = time.monotonic() + timeout_seconds
        while True:
            executions = self.executions(version, since)
            for e in executions:
                if e.status in TERMINAL:
                    e.failed = self.judged_failed(e)
            if all(e.status in TERMINAL for e in executions) or time.monotonic() > deadline:
                return executions
            time.sleep(poll_seconds)
