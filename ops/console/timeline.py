"""An execution's history laid out as a timeline drawn to scale: lanes of bars, SVG geometry computed here.

* Every top-level operation has a lane. The branches of a parallel (or the items of a map) each get a lane of their
  own under it, and everything inside a branch is drawn in the branch's lane, so branches run side by side.
* A bar per attempt: an operation retried by the SDK shows each attempt; the orchestrators' own retries are
  operations of their own (``invoke-<worker>-retry-<n>``) in the same lane.
* Waits are drawn as a dashed gap, not a bar; a chained invoke is labelled with the function version it called.

The operation tree (ids, names, parents, depth, status) comes from ``scripts.workloads.timeline``; this module adds
what the page needs on top: attempts' times, errors, invoke targets and the geometry.
"""

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scripts import workloads

PARALLEL_KINDS = frozenset({"Parallel", "Map"})
WAIT_KINDS = frozenset({"Wait"})
LABEL_WIDTH = 230  # px, the lane titles' column
PLOT_WIDTH = 820  # px for the whole execution
LANE_HEIGHT = 26
AXIS_HEIGHT = 24
BAR_HEIGHT = 14
MIN_BAR = 2.0  # px: an instantaneous operation stays visible (and is then not to scale)


@dataclass
class Attempt:
    start: float  # seconds since the execution started
    end: float
    status: str


@dataclass
class Bar:
    """One operation as drawn: its attempts, and where (x, width per attempt) in px."""

    id: str
    name: str
    kind: str
    status: str
    depth: int
    attempts: list[Attempt]
    target: str | None = None  # chained invoke: "function:version"
    error: str | None = None
    lane: int = 0
    shapes: list[tuple[float, float, Attempt]] = field(default_factory=list)

    @property
    def start(self) -> float:
        return self.attempts[0].start

    @property
    def end(self) -> float:
        return self.attempts[-1].end

    @property
    def seconds(self) -> float:
        return self.end - self.start

    @property
    def is_wait(self) -> bool:
        return self.kind in WAIT_KINDS

    @property
    def is_context(self) -> bool:
        return self.kind not in WAIT_KINDS and self.kind not in {"Step", "ChainedInvoke", "Callback"}


@dataclass
class Lane:
    title: str
    depth: int
    parent: str | None  # the parallel/map a branch lane belongs to
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Timeline:
    lanes: list[Lane]
    bars: list[Bar]
    seconds: float  # the span drawn
    scale: float  # px per second
    ticks: list[tuple[float, str]]  # (x, label)

    @property
    def width(self) -> int:
        return LABEL_WIDTH + PLOT_WIDTH + 150

    @property
    def height(self) -> int:
        return AXIS_HEIGHT + LANE_HEIGHT * len(self.lanes) + 8

    def lane_y(self, index: int) -> int:
        return AXIS_HEIGHT + index * LANE_HEIGHT


def _details(event: dict[str, Any]) -> dict[str, Any]:
    return next((v for k, v in event.items() if k.endswith("Details") and isinstance(v, dict)), {})


def _error_text(details: dict[str, Any]) -> str | None:
    error = details.get("Error")
    if not isinstance(error, dict):
        return None
    payload = error.get("Payload", error)
    if not isinstance(payload, dict):
        return str(payload)
    kind, message = payload.get("ErrorType"), payload.get("ErrorMessage")
    return ": ".join(str(part) for part in (kind, message) if part) or json.dumps(payload)


def _short_function(arn: str) -> str:
    """``local-payment-worker:3`` from a qualified function ARN."""
    return arn.rsplit(":function:", maxsplit=1)[-1] if ":function:" in arn else arn


def layout(events: list[dict[str, Any]], started: datetime, ended: datetime) -> Timeline:
    """The timeline of an execution that started at ``started``, drawn up to ``ended`` (its end, or now)."""
    operations = workloads.timeline(events)
    extra: dict[str, dict[str, Any]] = {op.id: {"attempts": [], "target": None, "error": None} for op in operations}
    for event in events:
        info = extra.get(event.get("Id", ""))
        if info is None:
            continue
        at = (event["EventTimestamp"] - started).total_seconds()
        details = _details(event)
        if details.get("FunctionName"):
            info["target"] = _short_function(str(details["FunctionName"]))
        info["error"] = _error_text(details) or info["error"]
        attempts: list[Attempt] = info["attempts"]
        if event["EventType"].endswith("Started"):
            if attempts and attempts[-1].status == "RUNNING":
                attempts[-1].status, attempts[-1].end = "FAILED", at  # started again: the attempt before failed
            attempts.append(Attempt(at, at, "RUNNING"))
        else:
            if not attempts or attempts[-1].status != "RUNNING":
                attempts.append(Attempt(at, at, "RUNNING"))
            attempts[-1].end, attempts[-1].status = at, _phase(event["EventType"])
    span = max(0.001, (ended - started).total_seconds())
    bars: list[Bar] = []
    for op in operations:
        info = extra[op.id]
        attempts = info["attempts"] or [Attempt(0.0, 0.0, op.status)]
        for attempt in attempts:
            if attempt.status == "RUNNING":
                attempt.end = span  # still running: up to now
            span = max(span, attempt.end)
        bars.append(Bar(op.id, op.name, op.kind, op.status, op.depth, attempts, info["target"], info["error"]))
    lanes = _lanes(bars, {op.id: op.parent for op in operations})
    scale = PLOT_WIDTH / span
    for bar in bars:
        bar.shapes = [(LABEL_WIDTH + a.start * scale, max(MIN_BAR, (a.end - a.start) * scale), a) for a in bar.attempts]
    return Timeline(lanes, bars, span, scale, _ticks(span, scale))


def _phase(event_type: str) -> str:
    """``StepSucceeded`` → ``SUCCEEDED``; ``ChainedInvokeFailed`` → ``FAILED``; ``WaitCancelled`` → ``CANCELLED``."""
    for phase in ("Succeeded", "Failed", "TimedOut", "Stopped", "Cancelled"):
        if event_type.endswith(phase):
            return {"TimedOut": "TIMED_OUT"}.get(phase, phase.upper())
    return event_type.upper()


def _lanes(bars: list[Bar], parents: dict[str, str | None]) -> list[Lane]:
    """A lane per top-level operation and per branch of a parallel/map; other operations join their parent's."""
    by_id = {bar.id: bar for bar in bars}
    lanes: list[Lane] = []
    lane_of: dict[str, int] = {}
    for bar in bars:  # in start order, so a parent's lane exists before its children's
        parent = by_id.get(parents.get(bar.id) or "")
        if parent is None or parent.kind in PARALLEL_KINDS or parent.id not in lane_of:
            lanes.append(Lane(bar.name, bar.depth, parent.name if parent is not None else None))
            lane_of[bar.id] = len(lanes) - 1
        else:
            lane_of[bar.id] = lane_of[parent.id]
        bar.lane = lane_of[bar.id]
        lanes[bar.lane].bars.append(bar)
    return lanes


def _ticks(span: float, scale: float, wanted: int = 8) -> list[tuple[float, str]]:
    raw = span / wanted
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    count = int(span / step) + 1
    return [(LABEL_WIDTH + i * step * scale, f"{i * step:g} s") for i in range(count)]
