"""The recordings: one JSON file per finished execution, replay/recordings/<workflow>/<scenario>.json.

A workflow is a declared durable function (functions/*/workload.json), named by its FN name.

A recording holds what the Lambda API answered for the execution: its input, its status and result or error
(GetDurableExecution) and its operations exactly as GetDurableExecutionState returned them, every page, in the
service's order. Timestamps are written as Unix milliseconds, the form the durable invocation input carries
them in (what the SDK replays from); nothing else is dropped or rewritten.
"""

import json
from pathlib import Path
from typing import Any

from scripts import manifests
from scripts.manifests import DurableFunction

ROOT = Path(__file__).resolve().parent.parent
RECORDINGS = Path(__file__).resolve().parent / "recordings"
FORMAT = 1


def workflows(functions: Path = manifests.FUNCTIONS) -> dict[str, DurableFunction]:
    """The workflows the gate covers: every durable function declared under ``functions``, by its FN name."""
    return manifests.durable_functions(functions)


def path_for(workflow: str, scenario: str, root: Path = RECORDINGS) -> Path:
    return root / workflow / f"{scenario}.json"


def dump(recording: dict[str, Any]) -> str:
    """Stable, reviewable JSON: sorted keys, two-space indent, trailing newline."""
    return json.dumps(recording, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def load_all(root: Path = RECORDINGS, functions: Path = manifests.FUNCTIONS) -> list[dict[str, Any]]:
    """Every recording under root, ordered by workflow and scenario; ValueError when one is malformed or belongs to
    no declared workflow."""
    declared = workflows(functions)
    found: list[dict[str, Any]] = []
    for path in sorted(root.glob("*/*.json")):
        recording = json.loads(path.read_text())
        missing = {"format", "workflow", "scenario", "input", "execution", "operations"} - recording.keys()
        if missing or recording["format"] != FORMAT:
            msg = f"{path}: not a recording of format {FORMAT} (missing {sorted(missing)})"
            raise ValueError(msg)
        if recording["workflow"] not in declared or path.parent.name != recording["workflow"]:
            msg = f"{path}: workflow {recording['workflow']!r} is not one of {sorted(declared)} or not its folder"
            raise ValueError(msg)
        found.append(recording)
    return found
