"""The recordings: one JSON file per finished execution, replay/recordings/<workflow>/<scenario>.json.

A recording holds what the Lambda API answered for the execution: its input, its status and result or error
(GetDurableExecution) and its operations exactly as GetDurableExecutionState returned them, every page, in the
service's order. Timestamps are written as Unix milliseconds, the form the durable invocation input carries
them in (what the SDK replays from); nothing else is dropped or rewritten.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RECORDINGS = Path(__file__).resolve().parent / "recordings"
FORMAT = 1


@dataclass(frozen=True)
class Workflow:
    """A durable function: where its handler lives and which root output names its live alias."""

    name: str
    handler: str  # module:attribute, imported from functions/
    function: str  # FN= name of scripts/workloads.py


WORKFLOWS = {
    w.name: w
    for w in (
        Workflow("order-processing", "order_processing.orchestrator:handler", "order-processor"),
        Workflow("parallel-math", "parallel_math.handler:handler", "parallel-math"),
        Workflow("data-pipeline", "data_pipeline.pipeline:handler", "data-pipeline"),
    )
}


def path_for(workflow: str, scenario: str, root: Path = RECORDINGS) -> Path:
    return root / workflow / f"{scenario}.json"


def dump(recording: dict[str, Any]) -> str:
    """Stable, reviewable JSON: sorted keys, two-space indent, trailing newline."""
    return json.dumps(recording, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def load_all(root: Path = RECORDINGS) -> list[dict[str, Any]]:
    """Every recording under root, ordered by workflow and scenario; ValueError when one is malformed."""
    found: list[dict[str, Any]] = []
    for path in sorted(root.glob("*/*.json")):
        recording = json.loads(path.read_text())
        missing = {"format", "workflow", "scenario", "input", "execution", "operations"} - recording.keys()
        if missing or recording["format"] != FORMAT:
            msg = f"{path}: not a recording of format {FORMAT} (missing {sorted(missing)})"
            raise ValueError(msg)
        if recording["workflow"] not in WORKFLOWS or path.parent.name != recording["workflow"]:
            msg = f"{path}: workflow {recording['workflow']!r} is not one of {sorted(WORKFLOWS)} or not its folder"
            raise ValueError(msg)
        found.append(recording)
    return found
