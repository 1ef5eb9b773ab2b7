"""Build byte-identical Lambda artifacts: one zip per workload and one dependency layer.

A workload zip holds ``functions/common`` plus ``functions/<workload>`` (``.py`` files only). The layer zip
holds the runtime dependencies of ``pyproject.toml`` (``[project].dependencies``) installed for the Lambda
platform under ``python/``. Every zip is reproducible: entries sorted, timestamps fixed at 1980-01-01, modes
0644/0755, fixed deflate level, no ``__pycache__``/``.pyc``. ``build/dist/manifest.json`` lists the sha256 of
each zip; Terraform reads the zips by hash, so an unchanged source never produces a new Lambda version.

The layer is cached under ``build/cache`` keyed on the dependency list, the lock and the target platform, so a
second ``make package`` only re-zips the handlers. ``--lock`` (``make lock-layer``) resolves the dependencies for
the Lambda platform and pins every transitive package in ``scripts/layer-constraints.txt``; builds then install
with those constraints, so a clean rebuild next month picks the same wheels.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FUNCTIONS = REPO / "functions"
CONSTRAINTS = REPO / "scripts" / "layer-constraints.txt"
COMMON = "common"

FIXED_DATE = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644  # every file, .so included: Lambda only needs to read them
DIR_MODE = 0o755
DEFLATE_LEVEL = 9

# Lambda target for the layer. Bump LAYER_FORMAT when the normalisation below changes (invalidates the cache).
LAMBDA_PLATFORM = "manylinux2014_x86_64"
LAMBDA_PYTHON = "3.13"
LAYER_FORMAT = "1"

# Files pip writes that vary between pip versions/machines and that nothing reads at run time.
DROPPED_DIST_INFO = frozenset({"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"})
# Console scripts carry the build machine's interpreter in their shebang.
DROPPED_TOP_LEVEL = frozenset({"bin"})


@dataclass(frozen=True)
class Artifact:
    name: str
    path: Path
    sha256: str
    size: int
    entries: int


def _skip(rel: Path) -> bool:
    parts = rel.parts
    return "__pycache__" in parts or rel.suffix in {".pyc", ".pyo"}


def _zip_info(arcname: str, *, is_dir: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(arcname, date_time=FIXED_DATE)
    info.create_system = 3  # Unix, so the mode bits below are honoured by unzip and Lambda
    if is_dir:
        info.external_attr = ((0o040000 | DIR_MODE) << 16) | 0x10
        info.compress_type = zipfile.ZIP_STORED
    else:
        info.external_attr = (0o100000 | FILE_MODE) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
    return info


def write_zip(target: Path, files: dict[str, Path]) -> None:
    """Write ``files`` (archive name -> source path) to ``target`` deterministically, directories included."""
    dirs: set[str] = set()
    for arcname in files:
        parent = Path(arcname).parent
        while parent != Path("."):
            dirs.add(parent.as_posix() + "/")
            parent = parent.parent
    entries = sorted([*dirs, *files])
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=DEFLATE_LEVEL) as zf:
        for arcname in entries:
            if arcname.endswith("/"):
                zf.writestr(_zip_info(arcname, is_dir=True), b"")
                continue
            info = _zip_info(arcname, is_dir=False)
            zf.writestr(info, files[arcname].read_bytes(), compresslevel=DEFLATE_LEVEL)
    tmp.replace(target)


def python_sources(package_dir: Path) -> Iterator[tuple[str, Path]]:
    """Yield (archive name, path) for every ``.py`` file below ``package_dir``, relative to ``functions/``."""
    for path in sorted(package_dir.rglob("*.py")):
        rel = path.relative_to(FUNCTIONS)
        if not _skip(rel):
            yield rel.as_posix(), path


def build_workload(workload: str, dist: Path) -> Path:
    if workload == COMMON or not (FUNCTIONS / workload).is_dir():
        raise SystemExit(f"package: functions/{workload}/ is not a workload package")
    files = dict(python_sources(FUNCTIONS / COMMON))
    files.update(python_sources(FUNCTIONS / workload))
    target = dist / f"{workload}.zip"
    write_zip(target, files)
    return target


def runtime_dependencies() -> list[str]:
    with (REPO / "pyproject.toml").open("rb") as fh:
        project = tomllib.load(fh)["project"]
    deps = project.get("dependencies", [])
    if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
        raise SystemExit("package: [project].dependencies in pyproject.toml must be a list of strings")
    return sorted(deps)


def deps_digest(deps: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(deps).encode()).hexdigest()[:16]


def layer_cache_key(deps: Iterable[str], constraints: str) -> str:
    material = json.dumps(
        {
            "deps": list(deps),
            "constraints": constraints,
            "platform": LAMBDA_PLATFORM,
            "python": LAMBDA_PYTHON,
            "format": LAYER_FORMAT,
        },
        sort_keys=True,
    )
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def _pip_install(deps: list[str], target: Path, *extra: str) -> None:
    cmd = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
        "--platform", LAMBDA_PLATFORM, "--python-version", LAMBDA_PYTHON, "--implementation", "cp",
        "--only-binary=:all:", "--target", str(target), *extra, *deps,
    ]  # fmt: skip
    subprocess.run(cmd, check=True)  # noqa: S603 - fixed argv, no shell


def read_constraints(deps: list[str]) -> str:
    """The lock's text, after checking it was made for the current dependency list ("" without a lock)."""
    if not CONSTRAINTS.exists():
        return ""
    text = CONSTRAINTS.read_text()
    if f"# deps-digest: {deps_digest(deps)}" not in text:
        raise SystemExit(
            f"package: {CONSTRAINTS.relative_to(REPO)} was made for other dependencies; run `make lock-layer`"
        )
    return text


def write_constraints(deps: list[str]) -> None:
    """Resolve ``deps`` for the Lambda platform and pin every package of the result."""
    with tempfile.TemporaryDirectory(prefix="layer-lock-") as tmp:
        report = Path(tmp) / "report.json"
        _pip_install(deps, Path(tmp) / "unused", "--dry-run", "--ignore-installed", "--report", str(report))
        installs = json.loads(report.read_text())["install"]
    pins = sorted(f"{i['metadata']['name'].lower().replace('_', '-')}=={i['metadata']['version']}" for i in installs)
    header = [
        "# Every package of the dependency layer, resolved for "
        f"python{LAMBDA_PYTHON}/{LAMBDA_PLATFORM} by `make lock-layer`.",
        "# Generated from [project].dependencies of pyproject.toml; do not edit by hand.",
        f"# deps-digest: {deps_digest(deps)}",
    ]
    CONSTRAINTS.write_text("\n".join([*header, *pins]) + "\n")
    print(f"package: wrote {CONSTRAINTS.relative_to(REPO)} ({len(pins)} packages)")


def layer_files(site: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(site)
        if _skip(rel) or rel.parts[0] in DROPPED_TOP_LEVEL:
            continue
        if rel.parent.name.endswith(".dist-info") and rel.name in DROPPED_DIST_INFO:
            continue
        files[(Path("python") / rel).as_posix()] = path
    return files


def build_layer(dist: Path, cache: Path) -> Path:
    deps = runtime_dependencies()
    constraints = read_constraints(deps)
    cached = cache / f"layer-{layer_cache_key(deps, constraints)}.zip"
    if not cached.exists():
        print(f"package: installing layer for python{LAMBDA_PYTHON}/{LAMBDA_PLATFORM}: {', '.join(deps)}")
        with tempfile.TemporaryDirectory(prefix="layer-") as tmp:
            site = Path(tmp) / "site"
            _pip_install(deps, site, *(["--constraint", str(CONSTRAINTS)] if constraints else []))
            write_zip(cached, layer_files(site))
    target = dist / "layer.zip"
    shutil.copyfile(cached, target)
    return target


def describe(path: Path) -> Artifact:
    data = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        entries = len(zf.infolist())
    return Artifact(path.name, path, hashlib.sha256(data).hexdigest(), len(data), entries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("workloads", nargs="*", help="workload packages under functions/ to zip")
    parser.add_argument("--dist", type=Path, default=REPO / "build" / "dist", help="output directory")
    parser.add_argument("--cache", type=Path, default=REPO / "build" / "cache", help="layer cache directory")
    parser.add_argument("--no-layer", action="store_true", help="skip the dependency layer")
    parser.add_argument("--lock", action="store_true", help="(re)write the layer's constraints file and exit")
    args = parser.parse_args(argv)

    if args.lock:
        write_constraints(runtime_dependencies())
        return 0
    os.umask(0o022)
    dist: Path = args.dist
    dist.mkdir(parents=True, exist_ok=True)
    built = [build_workload(w, dist) for w in sorted(set(args.workloads))]
    if not args.no_layer:
        built.append(build_layer(dist, args.cache))

    artifacts = [describe(p) for p in built]
    manifest = {a.name: {"sha256": a.sha256, "size": a.size, "entries": a.entries} for a in artifacts}
    (dist / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    for a in artifacts:
        print(f"package: {a.name:<24} {a.size:>10} bytes  {a.entries:>5} entries  sha256 {a.sha256}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
