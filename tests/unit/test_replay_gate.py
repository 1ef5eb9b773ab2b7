"""The replay-compatibility gate (replay/): the recordings replay on the tree, and any renamed, swapped, added or
removed durable operation in a scratch copy of functions/ fails the check naming that operation. Offline."""

import json
import re
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
from replay import check
from replay.recording import RECORDINGS, load_all

FUNCTIONS = check.FUNCTIONS
ORCHESTRATOR = "order_processing/orchestrator.py"
MATH = "parallel_math/handler.py"
PIPELINE = "data_pipeline/pipeline.py"
RECORDS = "data_pipeline/records.py"
REQUIRED = {
    ("order-processor", "confirmed"),
    ("order-processor", "rejected-saga-release"),
    ("order-processor", "invalid"),
    ("parallel-math", "success"),
    ("parallel-math", "division-by-zero"),
    ("data-pipeline", "good-and-poison"),
}
RECORDED = load_all()

Edit = tuple[str, str, str]  # file under functions/, text, replacement


def recorded_names() -> dict[str, set[str]]:
    """Every durable operation name in the recordings, with the workflows it occurs in."""
    names: dict[str, set[str]] = {}
    for recording in RECORDED:
        for op in recording["operations"]:
            if op["Type"] != "EXECUTION":
                names.setdefault(op["Name"], set()).add(recording["workflow"])
    return names


def scratch(tmp_path: Path, *edits: Edit) -> Path:
    """A copy of functions/ with each edit applied (each text must occur exactly once)."""
    copy = tmp_path / "functions"
    shutil.copytree(FUNCTIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    for relative, text, replacement in edits:
        source = copy / relative
        content = source.read_text()
        assert content.count(text) == 1, f"{relative}: {text!r} occurs {content.count(text)} times"
        source.write_text(content.replace(text, replacement))
    return copy


def rename(name: str) -> Edit:
    """The one source edit that renames the durable operation `name` (and nothing else) to `name-renamed`."""
    literal = f'name="{name}"'
    holders = [p for p in sorted(FUNCTIONS.rglob("*.py")) if literal in p.read_text()]
    if len(holders) == 1:
        return (str(holders[0].relative_to(FUNCTIONS)), literal, f'name="{name}-renamed"')
    if f'("{name}", ' in (FUNCTIONS / MATH).read_text():  # a math step: its branch and step share the name
        return (MATH, f'("{name}", ', f'("{name}-renamed", ')
    if match := re.fullmatch(r"invoke-(\w+)", name):  # a worker's chained invoke in its branch
        return (
            ORCHESTRATOR,
            'name=f"invoke-{worker}"',
            f'name=f"invoke-{{worker}}" + ("-renamed" if worker == "{match[1]}" else "")',
        )
    if name in ("inventory", "payment", "shipping", "tax"):  # a worker's parallel branch
        return (ORCHESTRATOR, "name=worker)", f'name=worker + ("-renamed" if worker == "{name}" else ""))')
    if match := re.fullmatch(r"record-(.+)", name):  # one SQS record's map item
        return (
            PIPELINE,
            "return f\"record-{record['messageId']}\"",
            f'return f"record-{{record[\'messageId\']}}" + ("-renamed" if record["messageId"] == "{match[1]}" else "")',
        )
    pytest.fail(f"no source edit known that renames the durable operation {name!r}: teach rename() about it")


def failures(functions: Path, only: set[str] | None = None) -> dict[str, str]:
    """workflow/scenario -> problem, for every recording that no longer replays."""
    return {f"{v.workflow}/{v.scenario}": v.problem for v in check.check(functions, only=only) if v.problem}


# ----------------------------------------------------------------------------------------------------------
# The tree
# ----------------------------------------------------------------------------------------------------------
def test_the_repository_keeps_a_recording_of_every_required_scenario():
    assert {(r["workflow"], r["scenario"]) for r in RECORDED} >= REQUIRED
    for recording in RECORDED:
        path = RECORDINGS / recording["workflow"] / f"{recording['scenario']}.json"
        assert path.read_text() == json.dumps(recording, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        assert recording["execution"]["status"] == "SUCCEEDED"
        assert all(op["Status"] in ("SUCCEEDED", "FAILED") for op in recording["operations"]), "finished executions"


def test_the_saga_recording_shows_the_release_after_the_workers():
    (saga,) = [r for r in RECORDED if r["scenario"] == "rejected-saga-release"]
    top_level = [op["Name"] for op in saga["operations"] if op["Type"] != "EXECUTION" and "ParentId" not in op]
    assert top_level == ["validate-order", "run-workers", "release-inventory"]
    assert saga["execution"]["result"]["failures"] == [
        {"step": "payment", "reason": "payment method 'bitcoin' is not supported"}
    ]


def test_every_recording_replays_on_the_tree():
    verdicts = check.check()
    assert {(v.workflow, v.scenario) for v in verdicts} >= REQUIRED
    assert [v for v in verdicts if v.problem] == []


def test_the_replay_runs_no_step_and_no_worker_and_opens_no_connection(monkeypatch):
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the replay check opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    with check.handlers_from(FUNCTIONS):
        for recording in RECORDED:
            output, observations = check.replay(recording)
            assert output["Status"] == "SUCCEEDED", recording["scenario"]
            assert observations.checkpoints == [], "a replay of complete operations checkpoints nothing"
            presented = {identity.id for identity in observations.presented}
            recorded = [op for op in recording["operations"] if op["Type"] != "EXECUTION"]
            failed_contexts = {op["Id"] for op in recorded if op["Type"] == "CONTEXT" and op["Status"] == "FAILED"}
            # Every operation is compared with its checkpoint, inside branches too; only the children of a failed
            # branch are not re-entered (its recorded error is the answer).
            assert {op["Id"] for op in recorded if op.get("ParentId") not in failed_contexts} <= presented


def test_the_cli_reports_success_and_exits_zero(capsys):
    assert check.main([]) == 0
    out = capsys.readouterr().out
    assert "ok           order-processor / rejected-saga-release" in out
    assert re.search(r"replay-check: (\d+) of \1 recordings replay on the current code", out)


# ----------------------------------------------------------------------------------------------------------
# Changes that break in-flight executions, each in a scratch copy of functions/
# ----------------------------------------------------------------------------------------------------------
NAMES = recorded_names()


@pytest.mark.parametrize("name", sorted(NAMES))
def test_renaming_any_durable_operation_fails_naming_it(tmp_path, name):
    found = failures(scratch(tmp_path, rename(name)), only=NAMES[name])
    assert found, f"renaming {name!r} went unnoticed"
    for recording, problem in found.items():
        assert recording.split("/")[0] in NAMES[name]
        assert problem.startswith(f"expected '{name}' ("), f"{recording}: {problem}"
        assert f"found '{name}-renamed' (" in problem, f"{recording}: {problem}"


def test_the_cli_names_workflow_recording_and_operation_and_exits_non_zero(tmp_path, capsys):
    copy = scratch(tmp_path, rename("finalize-order"))
    assert check.main(["--functions", str(copy)]) == 1
    err = capsys.readouterr().err
    assert (
        "INCOMPATIBLE order-processor / confirmed: expected 'finalize-order' (STEP Step) at operation #12, "
        "found 'finalize-order-renamed' (STEP Step)"
    ) in err


def test_swapping_the_wait_and_the_final_step_of_an_order_fails(tmp_path):
    wait = '    context.wait(CONFIRMATION_DELAY, name="confirmation-delay")\n'
    final = '    finalized = context.step(lambda _: _finalize(admitted["receivedAtMs"]), name="finalize-order")\n'
    found = failures(scratch(tmp_path, (ORCHESTRATOR, wait + final, final + wait)), {"order-processor"})
    assert found == {
        "order-processor/confirmed": "expected 'confirmation-delay' (WAIT Wait) at operation #11, "
        "found 'finalize-order' (STEP Step)"
    }


def test_swapping_two_worker_branches_fails(tmp_path):
    workers = ("order_processing/worker_results.py", '("inventory", "payment",', '("payment", "inventory",')
    found = failures(scratch(tmp_path, workers), {"order-processor"})
    assert set(found) == {"order-processor/confirmed", "order-processor/rejected-saga-release"}
    for problem in found.values():
        assert problem.startswith("expected 'inventory' (CONTEXT ParallelBranch) in run-workers at operation #3")
        assert "found 'payment' (CONTEXT ParallelBranch) in run-workers" in problem


def test_swapping_two_math_steps_fails(tmp_path):
    addition = '    ("addition", "Add", operator.add, None),\n'
    subtraction = '    ("subtraction", "Subtract", operator.sub, None),\n'
    found = failures(scratch(tmp_path, (MATH, addition + subtraction, subtraction + addition)), {"parallel-math"})
    assert set(found) == {"parallel-math/success", "parallel-math/division-by-zero"}
    for problem in found.values():
        assert problem.startswith("expected 'addition' (CONTEXT ParallelBranch) in math-operations")
        assert "found 'subtraction'" in problem


def test_swapping_two_pipeline_invokes_fails(tmp_path):
    found = failures(
        scratch(
            tmp_path,
            (RECORDS, 'name="validate"', 'name="swapped"'),
            (RECORDS, 'name="transform"', 'name="validate"'),
            (RECORDS, 'name="swapped"', 'name="transform"'),
        ),
        {"data-pipeline"},
    )
    (problem,) = found.values()
    assert problem.startswith("expected 'validate' (CHAINED_INVOKE ChainedInvoke) in process-records > record-good-")
    assert "found 'transform' (CHAINED_INVOKE ChainedInvoke)" in problem


def test_an_operation_added_before_the_first_one_fails(tmp_path):
    first = "    admitted = context.step(lambda _: admit_order(event)"
    added = '    context.step(lambda _: None, name="audit-order")\n' + first
    found = failures(scratch(tmp_path, (ORCHESTRATOR, first, added)), {"order-processor"})
    assert len(found) == 3, "every order recording starts with validate-order"
    for problem in found.values():
        assert problem == "expected 'validate-order' (STEP Step) at operation #1, found 'audit-order' (STEP Step)"


def test_an_operation_added_inside_a_map_item_fails(tmp_path):
    first = "    verdict: dict[str, Any] = context.invoke("
    added = '    context.step(lambda _: None, name="audit-record")\n' + first
    (problem,) = failures(scratch(tmp_path, (RECORDS, first, added)), {"data-pipeline"}).values()
    assert problem.startswith("expected 'validate' (CHAINED_INVOKE ChainedInvoke) in process-records > record-good")
    assert "found 'audit-record' (STEP Step)" in problem


def test_an_operation_added_after_the_last_one_fails(tmp_path):
    last = '    _count(context, "OrdersConfirmed")\n'
    added = '    context.step(lambda _: None, name="notify-customer")\n' + last
    found = failures(scratch(tmp_path, (ORCHESTRATOR, last, added)), {"order-processor"})
    assert found == {
        "order-processor/confirmed": "found 'notify-customer' (STEP Step), which the recording does not have (added)"
    }


def test_a_removed_last_operation_fails(tmp_path):
    release = '            context.invoke(SETTINGS.inventory_function, release, name="release-inventory")\n'
    found = failures(scratch(tmp_path, (ORCHESTRATOR, release, "            del release\n")), {"order-processor"})
    assert found == {
        "order-processor/rejected-saga-release": "expected 'release-inventory' (CHAINED_INVOKE ChainedInvoke) at "
        "operation #11, found nothing: the code no longer reaches it (removed)"
    }


def test_a_changed_type_fails(tmp_path):
    wait = 'context.wait(CONFIRMATION_DELAY, name="confirmation-delay")'
    step = 'context.step(lambda _: None, name="confirmation-delay")'
    found = failures(scratch(tmp_path, (ORCHESTRATOR, wait, step)), {"order-processor"})
    assert found == {
        "order-processor/confirmed": "expected 'confirmation-delay' (WAIT Wait) at operation #11, "
        "found 'confirmation-delay' (STEP Step)"
    }


def test_a_changed_result_fails_even_when_every_operation_matches(tmp_path):
    edit = (MATH, '"One or more operations failed"', '"Some operations failed"')
    found = failures(scratch(tmp_path, edit), {"parallel-math"})
    assert found == {
        "parallel-math/division-by-zero": 'the result differs: recorded {"error_details": "One or more operations '
        'failed"}, now {"error_details": "Some operations failed"}'
    }


# ----------------------------------------------------------------------------------------------------------
# Coverage: every declared durable function is a workflow the gate replays
# ----------------------------------------------------------------------------------------------------------
def test_a_declared_workflow_without_a_recording_fails_the_check_by_name(tmp_path, capsys):
    copy = scratch(tmp_path)
    shutil.copytree(copy / "parallel_math", copy / "extra_math")
    (copy / "extra_math" / "workload.json").write_text(
        json.dumps({"durable_functions": {"extra-math": {"handler": "extra_math.handler.handler"}}})
    )
    uncovered = [v for v in check.check(copy) if not v.scenario]
    assert [(v.workflow, v.status) for v in uncovered] == [("extra-math", "UNCOVERED")]
    assert check.main(["--functions", str(copy)]) == 1
    captured = capsys.readouterr()
    assert "UNCOVERED    extra-math: no recording" in captured.err
    assert "1 workflow(s) without a recording" in captured.out


def test_every_declared_workflow_has_a_recording():
    declared = set(check.workflows())
    assert declared == {r["workflow"] for r in RECORDED}
