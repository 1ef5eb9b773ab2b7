"""What ships: the size of each zip in build/dist, and each handler module's cold import in a fresh interpreter.

A cold import is compared with the floor of its class, measured in the same run: the import a handler of that
class cannot avoid. Floors and handlers are imported interleaved (every round imports each of them once, in an
order rotated per round), so a noisy neighbour slows them alike and the ratio of a round's pair stays fair.
"""

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from scripts import manifests

from benchmarks import env

DIST = env.BUILD / "dist"
LAYER_PREFIX = "layer"


@dataclass(frozen=True)
class ImportClass:
    """Handlers that need the same libraries: the floor they are measured against and the ratio they may reach."""

    name: str
    floor: str  # key of FLOORS
    target_ratio: float


PURE = ImportClass("pure-compute worker", "logger", 2.0)
AWS = ImportClass("AWS-calling worker", "boto3+logger", 1.25)
DURABLE = ImportClass("durable handler", "durable_sdk+logger", 1.2)

# What each floor imports (in one fresh interpreter, nothing else): Powertools' Logger alone; boto3 and the Logger;
# the durable SDK (which imports boto3 itself) and the Logger.
FLOORS: dict[str, tuple[str, ...]] = {
    "logger": ("aws_lambda_powertools.logging",),
    "boto3+logger": ("boto3", "aws_lambda_powertools.logging"),
    "durable_sdk+logger": ("aws_durable_execution_sdk_python", "aws_lambda_powertools.logging"),
}
# A worker's class as its declaration names it (functions/<package>/workload.json, "cold_import").
DECLARED_CLASSES = {"pure": PURE, "aws": AWS}


class UnclassifiedHandlerError(ValueError):
    """A declared worker without a cold-import class: the benchmark cannot say what its import may cost."""


def handler_classes(functions: Path | None = None) -> dict[str, ImportClass]:
    """Every handler module declared under ``functions`` (default the repository's) and its class: durable
    handlers are DURABLE, workers as declared."""
    workers = manifests.workers(functions)
    unclassified = sorted(f"{w.module} (functions/{w.workload}/workload.json, workers.{w.key})"
                          for w in workers.values() if w.cold_import is None)  # fmt: skip
    if unclassified:
        msg = f"no cold_import class ({' or '.join(DECLARED_CLASSES)}) declared for {', '.join(unclassified)}"
        raise UnclassifiedHandlerError(msg)
    classes = {f.module: DURABLE for f in manifests.durable_functions(functions).values()}
    classes.update({w.module: DECLARED_CLASSES[w.cold_import] for w in workers.values() if w.cold_import})
    return classes


IMPORT_PROBE = (
    "import sys, time\n"
    "start = time.perf_counter()\n"
    "for name in sys.argv[1:]:\n"
    "    __import__(name)\n"
    "print(time.perf_counter() - start)\n"
)


@dataclass
class Zips:
    sizes: dict[str, int] = field(default_factory=dict)  # zip name without .zip -> bytes
    reason: str = ""  # why there are none

    @property
    def functions(self) -> dict[str, int]:
        return {name: size for name, size in self.sizes.items() if not name.startswith(LAYER_PREFIX)}


def zip_sizes() -> Zips:
    """Sizes of build/dist/*.zip (`make bench` runs `make package` first, so they are the current sources')."""
    sizes = {path.stem: path.stat().st_size for path in sorted(DIST.glob("*.zip"))}
    return Zips(sizes, "" if sizes else "no build/dist/*.zip: run `make package` (or `make bench`)")


def import_once(modules: tuple[str, ...]) -> float:
    """Seconds to import ``modules`` in a fresh interpreter (PYTHONPATH=functions, the Lambda environment)."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", IMPORT_PROBE, *modules],
        cwd=env.ROOT,
        env=env.subprocess_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        msg = f"importing {' + '.join(modules)} failed: {done.stderr.strip().splitlines()[-1:]}"
        raise RuntimeError(msg)
    return float(done.stdout.strip().splitlines()[-1])


@dataclass
class ColdImports:
    """Samples (seconds) per floor and per handler module, one per round; round ``i`` of each ran together."""

    floors: dict[str, list[float]]
    handlers: dict[str, list[float]]
    classes: dict[str, ImportClass]

    def ratios(self, module: str) -> list[float]:
        """Per round: the handler's import over its class's floor in that round."""
        floor = self.floors[self.classes[module].floor]
        return [mine / base for mine, base in zip(self.handlers[module], floor, strict=True)]


def cold_imports(runs: int, *, warmup: int = 1) -> ColdImports:
    """``runs`` rounds, after ``warmup`` discarded ones (bytecode caches written), each importing every floor and
    every declared handler once in a fresh interpreter, starting one place further along the list each round.
    UnclassifiedHandlerError when a declared worker has no class."""
    classes = handler_classes()
    probes: list[tuple[str, tuple[str, ...]]] = [(f"floor:{name}", mods) for name, mods in FLOORS.items()]
    probes += [(module, (module,)) for module in classes]
    samples: dict[str, list[float]] = {key: [] for key, _ in probes}
    for index in range(warmup + runs):
        shift = index % len(probes)
        for key, modules in probes[shift:] + probes[:shift]:
            seconds = import_once(modules)
            if index >= warmup:
                samples[key].append(seconds)
    return ColdImports(
        floors={name: samples[f"floor:{name}"] for name in FLOORS},
        handlers={module: samples[module] for module in classes},
        classes=classes,
    )
