"""The workload declarations: one ``functions/<package>/workload.json`` per workload, read here for Python tooling.

Terraform reads the same files (terraform/stack/workloads.tf); everything that names a workload (packaging, the
``FN=`` names, the replay gate, the benchmarks, the plan checks, the tests' environment) derives from them.

A declaration::

    {
      "durable_functions": {
        "<key>": {                              # the function is <env>-<key>
          "fn": "<FN name>",                    # optional, default <key>: what `make invoke FN=...` takes
          "description": "...",
          "handler": "<package>.<module>.handler",
          "timeout": 60,                        # optional: seconds per invocation
          "execution_timeout": 900,             # seconds per durable execution (or set in terraform/stack/settings.tf)
          "chained_workers": {"<NAME>_FUNCTION": "<worker key>"},   # optional
          "scenarios": {"<name>": {"payload": "examples/...json", "description": "..."}}   # optional, make record
        }
      },
      "workers": {                              # optional
        "<key>": {"description": "...", "handler": "...", "cold_import": "pure|aws"}
      }
    }

``cold_import`` is the worker's class in the cold-import benchmark: ``pure`` loads no AWS SDK, ``aws`` calls an AWS
API. Durable handlers are always of the durable class. JSON rather than YAML or HCL: both Terraform
(``jsondecode``) and the standard library read it, with no dependency and no implicit typing. No schema library is
in the toolchain, so the few rules are checked below, each failure naming the file and the field.
"""

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
MANIFEST = "workload.json"
KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
HANDLER = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+$")
FUNCTION_VARIABLE = re.compile(r"^[A-Z][A-Z0-9_]*_FUNCTION$")
COLD_IMPORT_CLASSES = ("pure", "aws")
# Longest function name the Terraform modules accept (function_base: the role name adds "-role" to it).
FUNCTION_NAME_LIMIT = 56

DURABLE_FIELDS = {"fn", "description", "handler", "timeout", "execution_timeout", "chained_workers", "scenarios"}
WORKER_FIELDS = {"description", "handler", "cold_import"}
SCENARIO_FIELDS = {"payload", "description"}


class ManifestError(ValueError):
    """A declaration that breaks a rule; the message names the file and the field."""


@dataclass(frozen=True)
class Scenario:
    """A recorded scenario declared with the function: one Invoke of ``payload`` (a file under the repository)."""

    name: str
    payload: str
    description: str


@dataclass(frozen=True)
class DurableFunction:
    key: str  # function name suffix: <env>-<key>
    fn: str  # FN= name; also the replay workflow (replay/recordings/<fn>/)
    handler: str  # Lambda form: package.module.attribute
    workload: str
    chained_workers: dict[str, str]
    scenarios: tuple[Scenario, ...]

    @property
    def module(self) -> str:
        return self.handler.rsplit(".", 1)[0]

    @property
    def attribute(self) -> str:
        return self.handler.rsplit(".", 1)[1]


@dataclass(frozen=True)
class Worker:
    key: str
    handler: str
    workload: str
    cold_import: str | None  # None: not declared (the cold-import benchmark refuses to run)

    @property
    def module(self) -> str:
        return self.handler.rsplit(".", 1)[0]


@dataclass(frozen=True)
class Workload:
    package: str  # folder under functions/ (and the zip's name)
    durable_functions: tuple[DurableFunction, ...]
    workers: tuple[Worker, ...]

    @property
    def name(self) -> str:
        """The workload's kebab-case name: its POWERTOOLS_SERVICE_NAME."""
        return self.package.replace("_", "-")


def _fields(where: str, value: Any, allowed: set[str], required: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ManifestError(f"{where}: must be an object")
    unknown = set(value) - allowed
    if unknown:
        raise ManifestError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    missing = required - set(value)
    if missing:
        raise ManifestError(f"{where}: missing field(s) {sorted(missing)}")
    return value


def _handler(where: str, package: str, functions: Path, handler: Any) -> str:
    if not isinstance(handler, str) or not HANDLER.fullmatch(handler) or not handler.startswith(f"{package}."):
        raise ManifestError(f"{where}.handler: {handler!r} must be {package}.<module>.<function>")
    module = functions / Path(*handler.split(".")[:-1])
    if not module.with_suffix(".py").is_file():
        raise ManifestError(f"{where}.handler: {module.relative_to(functions.parent)}.py does not exist")
    return handler


def _key(where: str, key: str) -> str:
    if not KEBAB.fullmatch(key):
        raise ManifestError(f"{where}: {key!r} must be kebab-case (a-z, 0-9, single '-')")
    return key


def read(package_dir: Path) -> Workload:
    """One workload's declaration, checked; ManifestError names what is wrong."""
    path = package_dir / MANIFEST
    where = (
        str(path.relative_to(package_dir.parent.parent))
        if path.is_relative_to(package_dir.parent.parent)
        else str(path)
    )
    try:
        raw = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise ManifestError(f"{where}: {error}") from error
    package, functions = package_dir.name, package_dir.parent
    body = _fields(where, raw, {"durable_functions", "workers"}, {"durable_functions"})
    workers: list[Worker] = []
    for key, raw_worker in (body.get("workers") or {}).items():
        at = f"{where}: workers.{_key(where, key)}"
        spec = _fields(at, raw_worker, WORKER_FIELDS, {"handler"})
        cold = spec.get("cold_import")
        if cold is not None and cold not in COLD_IMPORT_CLASSES:
            raise ManifestError(f"{at}.cold_import: {cold!r} is not one of {', '.join(COLD_IMPORT_CLASSES)}")
        workers.append(Worker(key, _handler(at, package, functions, spec["handler"]), package, cold))
    worker_keys = {w.key for w in workers}
    durable: list[DurableFunction] = []
    for key, raw_function in body["durable_functions"].items():
        at = f"{where}: durable_functions.{_key(where, key)}"
        spec = _fields(at, raw_function, DURABLE_FIELDS, {"handler"})
        chained = spec.get("chained_workers") or {}
        for variable, worker in chained.items():
            if not FUNCTION_VARIABLE.fullmatch(variable):
                raise ManifestError(
                    f"{at}.chained_workers: {variable!r} must be an upper-case name ending in _FUNCTION"
                )
            if worker not in worker_keys:
                raise ManifestError(
                    f"{at}.chained_workers.{variable}: {worker!r} is not one of this workload's workers"
                )
        scenarios = tuple(
            Scenario(name, **_fields(f"{at}.scenarios.{_key(at, name)}", s, SCENARIO_FIELDS, SCENARIO_FIELDS))
            for name, s in (spec.get("scenarios") or {}).items()
        )
        fn = _key(f"{at}.fn", spec.get("fn", key))
        durable.append(
            DurableFunction(key, fn, _handler(at, package, functions, spec["handler"]), package, chained, scenarios)
        )
    if not durable:
        raise ManifestError(f"{where}: durable_functions declares no function")
    return Workload(package, tuple(durable), tuple(workers))


def load(functions: Path = FUNCTIONS) -> tuple[Workload, ...]:
    """Every workload under ``functions`` (folders holding a workload.json), by package name; names unique."""
    workloads = tuple(read(path.parent) for path in sorted(functions.glob(f"*/{MANIFEST}")))
    seen: dict[str, str] = {}
    for workload in workloads:
        names = [f.key for f in workload.durable_functions] + [w.key for w in workload.workers]
        names += [f"FN {f.fn}" for f in workload.durable_functions if f.fn != f.key]
        for name in names:
            if name in seen:
                raise ManifestError(f"{name!r} is declared by both {seen[name]} and {workload.package}")
            seen[name] = workload.package
    return workloads


@cache
def workloads() -> tuple[Workload, ...]:
    """The repository's workloads (read once per process)."""
    return load()


def durable_functions(functions: Path | None = None) -> dict[str, DurableFunction]:
    """Every declared durable function, keyed by its FN name."""
    found = load(functions) if functions else workloads()
    return {f.fn: f for w in found for f in w.durable_functions}


def workers(functions: Path | None = None) -> dict[str, Worker]:
    """Every declared worker, keyed by its function name suffix."""
    found = load(functions) if functions else workloads()
    return {w.key: w for workload in found for w in workload.workers}


def chained_function_names(prefix: str) -> dict[str, str]:
    """Every *_FUNCTION variable a declared durable handler reads, naming ``<prefix>-<worker>`` (a test or
    benchmark environment shared by every handler); ManifestError when two handlers use one name for two
    workers."""
    names: dict[str, str] = {}
    for function in durable_functions().values():
        for variable, worker in function.chained_workers.items():
            name = f"{prefix}-{worker}"
            if names.setdefault(variable, name) != name:
                msg = f"{variable} names two workers ({names[variable]}, {name}): give each its own variable name"
                raise ManifestError(msg)
    return names
