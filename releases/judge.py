"""The canary's verdict from what its executions and alarms say: promote, withdraw, or keep baking.

A durable execution stays on the version it started on, so each version is judged by the executions it started.
An execution counts as failed when it ended FAILED, TIMED_OUT or STOPPED, or when it SUCCEEDED with a result whose
``outcome_field`` (for example the order processor's ``success``) is false: a release that rejects every card
still ends every execution SUCCEEDED.
"""

from dataclasses import asdict, dataclass, field
from typing import Any

FAILED_STATUSES = frozenset({"FAILED", "TIMED_OUT", "STOPPED"})


@dataclass(frozen=True)
class Criteria:
    """Success criteria of a canary (terraform/stack variable ``releases``)."""

    bake_seconds: int
    max_failure_rate: float
    min_executions: int
    outcome_field: str | None = None

    @classmethod
    def from_release(cls, release: dict[str, Any]) -> "Criteria":
        return cls(
            bake_seconds=int(release["bake_seconds"]),
            max_failure_rate=float(release["max_failure_rate"]),
            min_executions=int(release["min_executions"]),
            outcome_field=release.get("outcome_field"),
        )


def failed(status: str, result: Any, outcome_field: str | None) -> bool:
    """Whether a finished execution counts against its version."""
    if status in FAILED_STATUSES:
        return True
    return outcome_field is not None and isinstance(result, dict) and result.get(outcome_field) is False


@dataclass
class Tally:
    """Executions of one version started in the canary window."""

    started: int = 0
    running: int = 0
    succeeded: int = 0
    failed: int = 0

    @property
    def finished(self) -> int:
        return self.succeeded + self.failed

    @property
    def failure_rate(self) -> float | None:
        return self.failed / self.finished if self.finished else None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "finished": self.finished, "failure_rate": self.failure_rate}


@dataclass(frozen=True)
class Verdict:
    """``promote`` or ``withdraw`` with the signal that decided; ``None`` while the bake goes on."""

    decision: str | None
    signal: str
    reason: str
    alarms_in_alarm: list[str] = field(default_factory=list)


def judge(canary: Tally, stable: Tally, alarms_in_alarm: list[str], criteria: Criteria, bake_over: bool) -> Verdict:
    """Withdraw at once on an alarm, or on a failure rate above the stable version's by more than
    ``max_failure_rate`` once ``min_executions`` (at least one) canary executions finished. At the end of the bake,
    withdraw a canary that finished fewer than ``min_executions`` (nothing proved it), otherwise promote."""
    if alarms_in_alarm:
        return Verdict("withdraw", "alarm", f"alarm in ALARM: {', '.join(alarms_in_alarm)}", alarms_in_alarm)
    excess = (canary.failure_rate or 0.0) - (stable.failure_rate or 0.0)
    enough = canary.finished >= max(criteria.min_executions, 1)
    if enough and excess > criteria.max_failure_rate:
        return Verdict(
            "withdraw",
            "failure-rate",
            f"{canary.failed} of {canary.finished} canary executions failed ({canary.failure_rate:.0%}); the stable "
            f"version's rate is {stable.failure_rate or 0.0:.0%}, tolerated excess {criteria.max_failure_rate:.0%}",
        )
    if not bake_over:
        return Verdict(None, "baking", f"{canary.finished} canary executions finished, {canary.running} running")
    if canary.finished < criteria.min_executions:
        return Verdict(
            "withdraw",
            "no-traffic",
            f"only {canary.finished} canary executions finished during the bake, {criteria.min_executions} needed: "
            "nothing proved the new version",
        )
    return Verdict(
        "promote",
        "healthy",
        f"{canary.finished} canary executions finished, {canary.failed} failed; no alarm",
    )
