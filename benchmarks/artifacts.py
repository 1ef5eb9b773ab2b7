"""What ships: the size of each zip in build/dist, and each handler module's import time in a fresh interpreter."""

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
    reason: str = ""  # why there are none

    @property
    def functions(self) -> dict[str, int]:
        return {name: size for name, size in self.sizes.items() if not name.startswith(LAYER_PREFIX)}


def zip_sizes() -> Zips:
    """Sizes of build/dist/*.zip (`make bench` runs `make package` first, so they are the current sources')."""
    sizes = {path.stem: path.stat().st_size for path in sorted(DIST.glob("*.zip"))}
    return Zips(sizes, "" if sizes else "no build/dist/*.zip: run `make package` (or `make bench`)")


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
