"""The environment the handler modules read at import (as Terraform sets it), applied before importing them."""

import importlib
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from scripts import manifests

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
BUILD = ROOT / "build"

# Every *_FUNCTION variable a declared durable handler reads, naming bench-<worker> (as Terraform names <env>-<worker>).
WORKER_NAMES = manifests.chained_function_names("bench")
RECORD_CONCURRENCY = 5
BENCH_ENV = {
    "ENVIRONMENT": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "INVENTORY_TABLE_NAME": "bench-inventory",
    "PROCESSED_DATA_TABLE_NAME": "bench-processed-data",
    "RECORD_CONCURRENCY": str(RECORD_CONCURRENCY),
    "POWERTOOLS_METRICS_NAMESPACE": "DurableDeployBench",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "ERROR",
    **WORKER_NAMES,
}


def subprocess_env() -> dict[str, str]:
    """This process's environment plus BENCH_ENV, for a fresh interpreter importing handler modules."""
    env = {**os.environ, **BENCH_ENV, "PYTHONPATH": str(FUNCTIONS)}
    env.pop("AWS_ENDPOINT_URL", None)
    return env


def apply() -> None:
    """Set BENCH_ENV and put functions/ (the zips' import root) on sys.path; idempotent."""
    os.environ.update(BENCH_ENV)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    if str(FUNCTIONS) not in sys.path:
        sys.path.insert(0, str(FUNCTIONS))


def load(module: str) -> ModuleType:
    """Import a handler module after the environment is in place (they parse their settings at import)."""
    apply()
    return importlib.import_module(module)


def attr(module: str, name: str) -> Any:
    return getattr(load(module), name)
