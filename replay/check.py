"""``make replay-check``: replay every recording against the current handlers, offline, and name what broke.

For each recording the CURRENT handler (imported from functions/, or from --functions DIR) is called the way the
durable service calls it on a replay: with the durable invocation input holding the recorded checkpoint state, the
first page inline and the rest served by a stub service client, the only client the SDK gets. Every operation of
the recording is complete, so the SDK answers each one from its checkpoint and never runs a step or a chained
invoke again; it checks each operation's identity (type, subtype, name, parent) against the checkpoint at the
same position (aws_durable_execution_sdk_python.identifier) and raises NonDeterministicExecutionError on a
difference.

Two things make the check stricter than one replay of a finished execution would be:

* Every succeeded child context (parallel branch, map item, the parallel and map themselves) is served with
  ReplayChildren set, so the SDK re-runs its body over its children's checkpoints instead of returning its
  stored result: operations inside branches are checked too, as they are when an execution is suspended inside
  a branch (waiting on a worker) while a new version is deployed.
* Every identity the SDK compares is observed, and every checkpoint the handler sends is kept: an operation of
  the recording that the code never reaches (removed) and an operation the code runs that the recording does
  not have (added) are mismatches too, even where the SDK itself would not stop.

Then the handler's final status and result must equal the recorded ones. The report names the workflow, the
recording and the first operation, in the recording's order, that no longer matches. Every durable function
declared in functions/*/workload.json is a workflow; one without any recording fails the check (UNCOVERED).
No network: the stub is the only service client, and AWS_ENDPOINT_URL points at a closed local port while the
handlers run.

    python -m replay.check [--functions DIR] [--recordings DIR]
"""

import argparse
import copy
import importlib
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aws_durable_execution_sdk_python.execution import DurableExecutionInvocationInputWithClient, InitialExecutionState
from aws_durable_execution_sdk_python.identifier import OperationIdentifier
from aws_durable_execution_sdk_python.lambda_service import (
    CheckpointOutput,
    CheckpointUpdatedExecutionState,
    Operation,
    OperationUpdate,
    StateOutput,
)
from aws_durable_execution_sdk_python_testing.invoker import create_test_lambda_context
from benchmarks.env import BENCH_ENV
from scripts.manifests import DurableFunction

from replay.recording import RECORDINGS, ROOT, load_all, workflows

FUNCTIONS = ROOT / "functions"
# Nothing listens on the discard port: a client that escaped the stub fails at once instead of reaching AWS.
CLOSED_ENDPOINT = "http://127.0.0.1:9"
FIRST_TOKEN = "replay-0"  # noqa: S105 - the stub's checkpoint tokens are opaque strings, nothing secret
PAGE_SIZE = 8  # operations per page: the first inline in the invocation input, the others through the stub


@dataclass(frozen=True)
class Identity:
    """What the SDK compares on replay: an operation's type, subtype, name and parent, at its id (position)."""

    id: str
    type: str
    sub_type: str | None
    name: str | None
    parent_id: str | None

    @staticmethod
    def of_checkpoint(op: dict[str, Any]) -> "Identity":
        return Identity(op["Id"], op["Type"], op.get("SubType"), op.get("Name") or None, op.get("ParentId") or None)

    @staticmethod
    def of_code(identifier: OperationIdentifier) -> "Identity":
        return Identity(
            identifier.operation_id,
            identifier.type.value,
            identifier.sub_type,
            identifier.name or None,
            identifier.parent_id or None,
        )

    @staticmethod
    def of_update(update: OperationUpdate) -> "Identity":
        return Identity(
            update.operation_id, update.operation_type.value, update.sub_type, update.name or None, update.parent_id
        )

    def same_as(self, other: "Identity") -> bool:
        return (self.type, self.sub_type, self.name, self.parent_id) == (
            other.type,
            other.sub_type,
            other.name,
            other.parent_id,
        )


@dataclass
class Observations:
    """What one replay did: the identities the code presented, the checkpoints it sent."""

    presented: list[Identity] = field(default_factory=list)
    checkpoints: list[OperationUpdate] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


_current: Observations | None = None
_original_validate = OperationIdentifier.validate_checkpoint


def _observing_validate(self: OperationIdentifier, checkpoint: Operation | None) -> None:
    """OperationIdentifier.validate_checkpoint, noting the identity the code presents at each position."""
    observations = _current
    if observations is not None:
        with observations.lock:
            observations.presented.append(Identity.of_code(self))
    _original_validate(self, checkpoint)


class RecordedService:
    """The durable service of one recording: serves its state in pages, keeps every checkpoint, calls nothing."""

    def __init__(self, arn: str, operations: list[Operation], observations: Observations) -> None:
        self.arn = arn
        self.pages = [operations[i : i + PAGE_SIZE] for i in range(0, len(operations), PAGE_SIZE)] or [[]]
        self.observations = observations
        self.sequence = 0

    def marker_after(self, page: int) -> str:
        return f"page-{page + 1}" if page + 1 < len(self.pages) else ""

    def checkpoint(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        updates: list[OperationUpdate],
        client_token: str | None,
    ) -> CheckpointOutput:
        del durable_execution_arn, checkpoint_token, client_token
        with self.observations.lock:
            self.observations.checkpoints += updates
            self.sequence += 1
            token = f"replay-{self.sequence}"
        return CheckpointOutput(checkpoint_token=token, new_execution_state=CheckpointUpdatedExecutionState())

    def get_execution_state(
        self, durable_execution_arn: str, checkpoint_token: str, next_marker: str, max_items: int = 1000
    ) -> StateOutput:
        del durable_execution_arn, checkpoint_token, max_items
        page = int(next_marker.removeprefix("page-"))
        return StateOutput(operations=self.pages[page], next_marker=self.marker_after(page) or None)


def replay_state(recorded: list[dict[str, Any]]) -> list[Operation]:
    """The recorded operations as the SDK reads them, every succeeded child context marked ReplayChildren."""
    operations: list[Operation] = []
    for op in recorded:
        served = copy.deepcopy(op)
        if served["Type"] == "CONTEXT" and served["Status"] == "SUCCEEDED":
            served.setdefault("ContextDetails", {})["ReplayChildren"] = True
        operations.append(Operation.from_json_dict(served))
    return operations


@dataclass(frozen=True)
class Verdict:
    workflow: str
    scenario: str  # "" for a declared workflow without any recording
    operations: int
    problem: str | None  # None: compatible

    @property
    def label(self) -> str:
        return f"{self.workflow} / {self.scenario}" if self.scenario else self.workflow

    @property
    def status(self) -> str:
        if not self.problem:
            return "ok"
        return "INCOMPATIBLE" if self.scenario else "UNCOVERED"


def _describe(identity: Identity, by_id: dict[str, Identity]) -> str:
    path: list[str] = []
    parent = identity.parent_id
    while parent is not None and parent in by_id:
        path.insert(0, by_id[parent].name or by_id[parent].id[:8])
        parent = by_id[parent].parent_id
    where = f" in {' > '.join(path)}" if path else ""
    return f"{identity.name!r} ({identity.type} {identity.sub_type}){where}"


def _expected_to_replay(op: Identity, status: dict[str, str], by_id: dict[str, Identity]) -> bool:
    """Whether the SDK re-enters op on replay: every enclosing context succeeded (a failed one keeps its error)."""
    parent = op.parent_id
    while parent is not None:
        if status.get(parent) != "SUCCEEDED":
            return False
        parent = by_id[parent].parent_id if parent in by_id else None
    return True


def first_mismatch(recorded: list[dict[str, Any]], observations: Observations) -> str | None:
    """The first operation, in the recording's order, that the code no longer replays identically.

    An operation the code presents differently (renamed, another type, moved, something added or removed before
    it) comes first; then one the code never reached (a mismatch ends the replay of its branch, so operations
    after it go unreached: they are its consequence, not the cause); then one the recording does not have.
    """
    ops = [Identity.of_checkpoint(op) for op in recorded if op["Type"] != "EXECUTION"]
    by_id = {op.id: op for op in ops}
    status = {op["Id"]: op["Status"] for op in recorded}
    presented: dict[str, list[Identity]] = {}
    for identity in observations.presented:
        presented.setdefault(identity.id, []).append(identity)
    checkpointed = {update.operation_id for update in observations.checkpoints}

    def expected(position: int, op: Identity) -> str:
        return f"expected {_describe(op, by_id)} at operation #{position}"

    for position, op in enumerate(ops, start=1):
        differing = [found for found in presented.get(op.id, []) if not found.same_as(op)]
        if differing:
            return f"{expected(position, op)}, found {_describe(differing[0], by_id)}"
        if op.id in checkpointed:
            return f"{expected(position, op)}, found it run again (the code did not accept its recorded result)"
    for position, op in enumerate(ops, start=1):
        if op.id not in presented and _expected_to_replay(op, status, by_id):
            return f"{expected(position, op)}, found nothing: the code no longer reaches it (removed)"
    for update in observations.checkpoints:
        if update.operation_id not in by_id:
            added = Identity.of_update(update)
            return f"found {_describe(added, by_id)}, which the recording does not have (added)"
    return None


@contextmanager
def handlers_from(functions: Path) -> Iterator[None]:
    """Import handler modules from `functions` (environment as Terraform sets it, no endpoint reachable); undone
    on exit, so one process can check several copies of the code."""
    packages = {p.name for p in functions.iterdir() if (p / "__init__.py").is_file()}

    def ours(module: str) -> bool:
        return module.split(".", 1)[0] in packages

    saved_modules = {name: module for name, module in sys.modules.items() if ours(name)}
    saved_env = dict(os.environ)
    saved_path = list(sys.path)
    for name in saved_modules:
        del sys.modules[name]
    os.environ.update(BENCH_ENV)
    os.environ["AWS_ENDPOINT_URL"] = CLOSED_ENDPOINT
    os.environ.pop("AWS_PROFILE", None)
    sys.path.insert(0, str(functions))
    importlib.invalidate_caches()
    quiet = logging.getLogger("aws_durable_execution_sdk_python")
    saved_level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # a mismatch is reported below, not as the SDK's traceback
    OperationIdentifier.validate_checkpoint = _observing_validate  # type: ignore[method-assign]
    try:
        yield
    finally:
        OperationIdentifier.validate_checkpoint = _original_validate  # type: ignore[method-assign]
        quiet.setLevel(saved_level)
        for name in [name for name in sys.modules if ours(name)]:
            del sys.modules[name]
        sys.modules.update(saved_modules)
        sys.path[:] = saved_path
        os.environ.clear()
        os.environ.update(saved_env)


def replay(recording: dict[str, Any], workflow: DurableFunction | None = None) -> tuple[dict[str, Any], Observations]:
    """Run the current handler of the recording's workflow (by default as declared in the repository) once over
    the recording; its invocation output and what it did."""
    global _current  # noqa: PLW0603 - one replay at a time; the SDK's threads report into it
    declared = workflow or workflows()[recording["workflow"]]
    handler = getattr(importlib.import_module(declared.module), declared.attribute)
    recorded = recording["operations"]
    arn = next((op["Id"] for op in recorded if op["Type"] == "EXECUTION"), "replay-execution")
    observations = Observations()
    service = RecordedService(arn, replay_state(recorded), observations)
    invocation = DurableExecutionInvocationInputWithClient(
        durable_execution_arn=arn,
        checkpoint_token=FIRST_TOKEN,
        initial_execution_state=InitialExecutionState(operations=service.pages[0], next_marker=service.marker_after(0)),
        service_client=service,
    )
    function = recording.get("captured", {}).get("function", "replay-function").split(":function:")[-1]
    _current = observations
    try:
        output: dict[str, Any] = dict(handler(invocation, create_test_lambda_context(function_name=function)))
    finally:
        _current = None
    return output, observations


def _outcome_problem(recording: dict[str, Any], output: dict[str, Any]) -> str | None:
    execution = recording["execution"]
    status = output.get("Status")
    if status != execution["status"]:
        error = output.get("Error") or {}
        detail = f": {error.get('ErrorType')}: {error.get('ErrorMessage')}" if error else ""
        return f"the execution ended {status} instead of {execution['status']}{detail}"
    if status == "SUCCEEDED":
        result = json.loads(output["Result"]) if output.get("Result") else None
        if result != execution["result"]:
            return f"the result differs: recorded {json.dumps(execution['result'])}, now {json.dumps(result)}"
    return None


def check_recording(recording: dict[str, Any], workflow: DurableFunction | None = None) -> Verdict:
    """Replay one recording (inside handlers_from) and judge it."""
    output, observations = replay(recording, workflow)
    problem = first_mismatch(recording["operations"], observations) or _outcome_problem(recording, output)
    operations = sum(op["Type"] != "EXECUTION" for op in recording["operations"])
    return Verdict(recording["workflow"], recording["scenario"], operations, problem)


def check(functions: Path = FUNCTIONS, recordings: Path = RECORDINGS, only: set[str] | None = None) -> list[Verdict]:
    """Every recording under `recordings` (of the workflows in `only`, default all) replayed against the handlers
    in `functions`; a workflow declared there without any recording is a failed verdict of its own."""
    declared = workflows(functions)
    loaded = [r for r in load_all(recordings, functions) if only is None or r["workflow"] in only]
    recorded = {r["workflow"] for r in loaded}
    uncovered = [
        Verdict(name, "", 0, f"no recording: the gate does not cover it (make record SCENARIO={name}/<scenario>)")
        for name in sorted(declared)
        if (only is None or name in only) and name not in recorded
    ]
    if not loaded and not uncovered:
        msg = f"no recordings under {recordings} (make record writes them)"
        raise ValueError(msg)
    with handlers_from(functions):
        return uncovered + [check_recording(r, declared[r["workflow"]]) for r in loaded]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--functions", type=Path, default=FUNCTIONS, help="the handlers' import root")
    parser.add_argument("--recordings", type=Path, default=RECORDINGS, help="recordings folder")
    args = parser.parse_args(argv)
    started = time.monotonic()
    verdicts = check(args.functions.resolve(), args.recordings.resolve())
    failed = [v for v in verdicts if v.problem]
    for verdict in verdicts:
        if verdict.problem:
            print(f"{verdict.status:<12} {verdict.label}: {verdict.problem}", file=sys.stderr)
        else:
            print(f"ok           {verdict.label} ({verdict.operations} operations)")
    replayed = [v for v in verdicts if v.scenario]
    uncovered = len(verdicts) - len(replayed)
    print(
        f"replay-check: {sum(not v.problem for v in replayed)} of {len(replayed)} recordings replay on the current "
        f"code{f', {uncovered} workflow(s) without a recording' if uncovered else ''} "
        f"({time.monotonic() - started:.1f} s)"
    )
    if any(v.scenario for v in failed):
        print(
            "An incompatible change must ship as a new function or alias while executions on the old one drain;"
            " docs/releases-and-replay.md, 'Shipping an intentionally incompatible change'.",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
