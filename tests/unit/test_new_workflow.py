"""`make new-workflow` (scripts/new_workflow.py) on a scratch copy of functions/ and environments/: what it writes,
that every tool reads the result, and the names it refuses without writing anything."""

import shutil
from pathlib import Path

import pytest
from benchmarks import artifacts
from scripts import manifests, new_workflow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for folder in ("functions", "environments"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__", "*.tfstate*"))
    return tmp_path


def tree(root: Path) -> set[Path]:
    return {path.relative_to(root) for path in root.rglob("*")}


def test_the_scaffold_writes_one_declared_workflow(root):
    written = new_workflow.scaffold("gift-wrap", root)

    assert {str(p) for p in written} == {
        "functions/gift_wrap/__init__.py",
        "functions/gift_wrap/workflow.py",
        "functions/gift_wrap/worker.py",
        "functions/gift_wrap/workload.json",
        "examples/gift-wrap/sample.json",
        "tests/unit/test_gift_wrap.py",
    }
    declared = manifests.durable_functions(root / "functions")["gift-wrap"]
    assert declared.handler == "gift_wrap.workflow.handler"
    assert declared.chained_workers == {"GIFT_WRAP_WORKER_FUNCTION": "gift-wrap-worker"}
    assert [s.payload for s in declared.scenarios] == ["examples/gift-wrap/sample.json"]
    assert artifacts.handler_classes(root / "functions")["gift_wrap.worker"] is artifacts.PURE
    assert "$" not in "".join((root / p).read_text() for p in written)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("GiftWrap", "must be kebab-case"),
        ("gift--wrap", "must be kebab-case"),
        ("-gift", "must be kebab-case"),
        ("parallel-math", "is taken"),
        ("inventory", "is taken"),  # its worker would be inventory-worker
        ("data-pipeline", "is taken"),  # an FN name
        ("json", "would shadow the Python module"),
        ("a" * 43 + "b", "is too long"),
    ],
)
def test_a_bad_name_is_refused_and_nothing_is_written(root, name, reason):
    before = tree(root)
    with pytest.raises(new_workflow.NameError_, match=reason):
        new_workflow.scaffold(name, root)
    assert tree(root) == before


def test_the_longest_name_that_fits_the_longest_environment(root):
    longest = new_workflow.longest_environment(root / "environments")
    fits = "a" * (manifests.FUNCTION_NAME_LIMIT - len(f"{longest}--worker"))
    new_workflow.scaffold(fits, root)
    assert len(f"{longest}-{fits}-worker") == manifests.FUNCTION_NAME_LIMIT


def test_the_cli_says_why_and_writes_nothing(capsys):
    assert new_workflow.main(["--name", "Parallel_Math"]) == 2
    assert "must be kebab-case" in capsys.readouterr().err
    assert not (ROOT / "functions" / "parallel_math_" / "workload.json").exists()
