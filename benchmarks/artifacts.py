"""What ships: the size of each zip in build/dist, and each handler module's import time in a fresh interpreter."""

import json
import re
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass, field

from benchmarks import env

DIST = env.BUILD / "dist"
LAYER_PREFIX = "layer"
HANDLER_MODULES = (
    "order_processing.orchestrator",
    "order_processing.workers.inventory",
    "order_processing.workers.payment",
    "order_processing.workers.shipping",
    "order_processing.workers.tax",
    "parallel_math.handler",
    "data_pipeline.pipeline",
    "data_pipeline.workers.validator",
    "data_pipeline.workers.transformer",
    "data_pipeline.workers.storage",
)
IMPORT_PROBE = (
    "import sys, time\nstart = time.perf_counter()\n__import__(sys.argv[1])\nprint(time.perf_counter() - start)\n"
)


@dataclass
class Zips:
    sizes: dict[str, int] = field(default_factory=dict)  # zip name without .zip -> bytes
    built: bool = False  # True when this run had to build them
    reason: str = ""  # why there are none

    @property
    def functions(self) -> dict[str, int]:
        return {name: size for name, size in self.sizes.items() if not name.startswith(LAYER_PREFIX)}


def has_target(target: str) -> bool:
    """Whether the Makefile defines ``target`` (read, not dry-run: a dry run still executes $(MAKE) lines)."""
    makefile = env.ROOT / "Makefile"
    return makefile.is_file() and re.search(rf"^{re.escape(target)}:", makefile.read_text(), re.MULTILINE) is not None


def make(*targets: str) -> subprocess.CompletedProcess[str]:
    make = shutil.which("make")
    if make is None:
        msg = "make is not installed"
        raise FileNotFoundError(msg)
    return subprocess.run([make, *targets], cwd=env.ROOT, capture_output=True, text=True, check=False)  # noqa: S603


def zip_sizes() -> Zips:
    """Sizes of build/dist/*.zip; runs `make package` first when there are none."""
    zips = Zips()
    if not sorted(DIST.glob("*.zip")):
        if not has_target("package"):
            return Zips(reason="no build/dist/*.zip and the Makefile has no `package` target")
        built = make("package")
        if built.returncode != 0:
            tail = (built.stderr or built.stdout).strip().splitlines()[-1:]
            return Zips(reason=f"`make package` failed: {' '.join(tail)}")
        zips.built = True
    for path in sorted(DIST.glob("*.zip")):
        zips.sizes[path.stem] = path.stat().st_size
    if not zips.sizes:
        zips.reason = "`make package` produced no build/dist/*.zip"
    return zips


def manifest_mismatches(zips: Zips) -> list[str]:
    """Zips whose size differs from build/dist/manifest.json (a stale manifest or a half-finished build)."""
    path = DIST / "manifest.json"
    if not path.is_file():
        return []
    manifest = json.loads(path.read_text())
    return [
        name
        for name, size in zips.sizes.items()
        if isinstance(manifest.get(f"{name}.zip"), dict) and manifest[f"{name}.zip"].get("size") != size
    ]


def import_seconds(module: str, runs: int) -> list[float]:
    """``import module`` timed inside ``runs`` fresh interpreters (PYTHONPATH=functions, the Lambda environment)."""
    samples: list[float] = []
    for _ in range(runs):
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-c", IMPORT_PROBE, module],
            cwd=env.ROOT,
            env=env.subprocess_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            msg = f"importing {module} failed: {done.stderr.strip().splitlines()[-1:]}"
            raise RuntimeError(msg)
        samples.append(float(done.stdout.strip().splitlines()[-1]))
    return samples


def cold_imports(runs: int) -> dict[str, list[float]]:
    return {module: import_seconds(module, runs) for module in HANDLER_MODULES}


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000
