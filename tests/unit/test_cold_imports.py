"""What a cold start loads: each handler module imported alone in a fresh interpreter, as Lambda's init does.

The environment the handlers read at import is the benchmark's (benchmarks/env.py), the same one `make bench`
times them with. These tests assert which libraries end up in ``sys.modules``, not how long it took.
"""

import json
import re
import shutil
import subprocess
import sys
from functools import cache

import pytest
from benchmarks import artifacts, env

CLASSES = artifacts.handler_classes()
# Workers declared as calling no AWS API: their cold start must not pay for an AWS SDK.
PURE_COMPUTE_WORKERS = sorted(module for module, kind in CLASSES.items() if kind is artifacts.PURE)
AWS_CALLING_WORKERS = sorted(module for module, kind in CLASSES.items() if kind is artifacts.AWS)
POWERTOOLS_LOGGER = "aws_lambda_powertools.logging"
PROBE = "import json, sys\nfor name in sys.argv[1:]:\n    __import__(name)\nprint(json.dumps(sorted(sys.modules)))\n"


@cache
def loaded_by(module: str) -> frozenset[str]:
    """``sys.modules`` of a fresh interpreter (PYTHONPATH=functions, as in Lambda) after importing ``module``."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, module],
        cwd=env.ROOT,
        env=env.subprocess_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return frozenset(json.loads(done.stdout.splitlines()[-1]))


def family(modules: frozenset[str], package: str) -> set[str]:
    """``package`` and its submodules among ``modules``."""
    return {name for name in modules if name == package or name.startswith(f"{package}.")}


@pytest.mark.parametrize("module", PURE_COMPUTE_WORKERS)
def test_pure_compute_worker_loads_no_aws_sdk(module):
    loaded = loaded_by(module)
    assert family(loaded, "boto3") == set()
    assert family(loaded, "aws_xray_sdk") == set()
    # Powertools' own package __init__ imports the bare ``botocore`` package (its __init__ only: logging, os, re)
    # to register a user-agent hook, so the Logger alone loads it. Nothing more of botocore may load.
    assert family(loaded, "botocore") <= family(loaded_by(POWERTOOLS_LOGGER), "botocore") <= {"botocore"}


@pytest.mark.parametrize("module", sorted(CLASSES))
def test_no_handler_loads_the_xray_sdk(module):
    assert family(loaded_by(module), "aws_xray_sdk") == set()


@pytest.mark.parametrize("module", AWS_CALLING_WORKERS)
def test_the_probe_sees_an_sdk_where_a_worker_does_use_one(module):
    assert "boto3.session" in loaded_by(module)


def test_every_handler_is_declared_and_so_measured_and_classified():
    """A module defining a handler is declared in its workload.json, so the benchmark times it and, if it is a
    worker, the tests above check its class."""
    defines_handler = re.compile(r"^def handler\(", re.MULTILINE)
    handlers = {
        path.relative_to(env.FUNCTIONS).with_suffix("").as_posix().replace("/", ".")
        for path in env.FUNCTIONS.rglob("*.py")
        if defines_handler.search(path.read_text())
    }
    assert handlers == set(CLASSES)
    assert PURE_COMPUTE_WORKERS
    assert AWS_CALLING_WORKERS


def test_a_worker_declared_without_a_class_stops_the_benchmark_naming_it(tmp_path):
    functions = tmp_path / "functions"
    shutil.copytree(env.FUNCTIONS, functions, ignore=shutil.ignore_patterns("__pycache__"))
    manifest = functions / "order_processing" / "workload.json"
    declaration = json.loads(manifest.read_text())
    del declaration["workers"]["tax-worker"]["cold_import"]
    manifest.write_text(json.dumps(declaration))
    with pytest.raises(
        artifacts.UnclassifiedHandlerError, match=r"order_processing\.workers\.tax \(.*workers\.tax-worker\)"
    ):
        artifacts.handler_classes(functions)
