"""The workload declarations (functions/*/workload.json) and the rules scripts/manifests.py holds them to."""

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from scripts import manifests

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_workloads_and_their_fn_names():
    declared = manifests.durable_functions()
    assert {fn: f.key for fn, f in declared.items()} == {
        "order-processor": "order-processor",
        "parallel-math": "parallel-math",
        "data-pipeline": "durable-data-pipeline",
    }
    assert {w.package for w in manifests.workloads()} == {"order_processing", "parallel_math", "data_pipeline"}
    assert declared["order-processor"].chained_workers["TAX_FUNCTION"] == "tax-worker"


def test_every_workload_folder_is_declared_and_packaged_by_make():
    packages = {p.name for p in (ROOT / "functions").iterdir() if (p / "__init__.py").is_file()} - {"common"}
    assert packages == {w.package for w in manifests.workloads()}
    assert "$(wildcard functions/*/workload.json)" in (ROOT / "Makefile").read_text()


def test_the_function_name_limit_is_the_terraform_modules():
    """The scaffold checks names against this limit; function_base validates the same one."""
    variables = (ROOT / "terraform" / "modules" / "function_base" / "variables.tf").read_text()
    assert f"^[A-Za-z0-9_-]{{1,{manifests.FUNCTION_NAME_LIMIT}}}$" in variables


@pytest.fixture
def functions(tmp_path: Path) -> Path:
    copy = tmp_path / "functions"
    shutil.copytree(ROOT / "functions", copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def edit(functions: Path, package: str, change: Any) -> None:
    path = functions / package / manifests.MANIFEST
    declaration = json.loads(path.read_text())
    change(declaration)
    path.write_text(json.dumps(declaration))


def error(functions: Path) -> str:
    with pytest.raises(manifests.ManifestError) as raised:
        manifests.load(functions)
    return str(raised.value)


def test_a_misspelt_field_is_refused_by_name(functions):
    edit(functions, "parallel_math", lambda d: d["durable_functions"]["parallel-math"].update(timout=30))
    assert re.search(
        r"parallel_math/workload.json: durable_functions.parallel-math: unknown field.*timout", error(functions)
    )


def test_a_handler_whose_module_does_not_exist_is_refused(functions):
    edit(
        functions,
        "data_pipeline",
        lambda d: d["workers"]["data-storage"].update(handler="data_pipeline.nowhere.handler"),
    )
    assert "workers.data-storage.handler: functions/data_pipeline/nowhere.py does not exist" in error(functions)


def test_a_chained_worker_that_is_not_declared_is_refused(functions):
    edit(
        functions,
        "order_processing",
        lambda d: d["durable_functions"]["order-processor"]["chained_workers"].update(GIFT_FUNCTION="gift-worker"),
    )
    assert "chained_workers.GIFT_FUNCTION: 'gift-worker' is not one of this workload's workers" in error(functions)


def test_a_name_declared_twice_is_refused(functions):
    edit(
        functions,
        "parallel_math",
        lambda d: d.update(durable_functions={"tax-worker": {"handler": "parallel_math.handler.handler"}}),
    )
    assert "'tax-worker' is declared by both" in error(functions)


def test_a_key_that_is_not_kebab_case_is_refused(functions):
    edit(
        functions,
        "parallel_math",
        lambda d: d.update(durable_functions={"Parallel_Math": d["durable_functions"]["parallel-math"]}),
    )
    assert "'Parallel_Math' must be kebab-case" in error(functions)
