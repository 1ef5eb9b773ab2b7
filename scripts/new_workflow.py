"""``make new-workflow NAME=<kebab-name>``: scaffold a durable workflow that every tool already covers.

Writes, from scripts/workflow_template/: the workload package functions/<package>/ (the durable handler with a named
step, a chained invoke of its worker and a durable wait; the worker; the declaration workload.json), an example
payload examples/<name>/sample.json and a unit test tests/unit/test_<package>.py on the durable testing runner.
Nothing else changes: packaging, Terraform, ``make invoke FN=<name>``, ``make record``, ``make replay-check``,
``make bench`` and the plan checks read the declaration.

A name that is not kebab-case, is already declared or taken, or would make a function name longer than the
Terraform modules accept in the longest environment, is refused with the reason, and nothing is written.
"""

import argparse
import importlib.util
import keyword
import sys
from pathlib import Path
from string import Template

from scripts import manifests

ROOT = manifests.ROOT
TEMPLATES = Path(__file__).resolve().parent / "workflow_template"
ENVIRONMENTS = ROOT / "environments"


class NameError_(ValueError):
    """A workflow name that cannot be used; the message says why."""


def longest_environment(environments: Path = ENVIRONMENTS) -> str:
    """The longest environment name (a folder of environments/ holding terraform.tfvars)."""
    names = [p.parent.name for p in environments.glob("*/terraform.tfvars")]
    return max(names, key=len)


def check_name(name: str, root: Path = ROOT) -> str:
    """The workload's package name for ``name``; NameError_ when the name cannot be used."""
    if not manifests.KEBAB.fullmatch(name):
        msg = f"NAME={name!r} must be kebab-case: lowercase letters and digits in words joined by single '-'"
        raise NameError_(msg)
    package = name.replace("-", "_")
    functions = root / "functions"
    declared = manifests.load(functions)
    taken = {key for w in declared for f in w.durable_functions for key in (f.key, f.fn)}
    taken |= {worker.key for w in declared for worker in w.workers}
    if name in taken or f"{name}-worker" in taken or (functions / package).exists():
        msg = f"NAME={name!r} is taken: functions/{package}/ or a declared function already uses it"
        raise NameError_(msg)
    if keyword.iskeyword(package) or importlib.util.find_spec(package) is not None:
        msg = f"NAME={name!r}: its package {package!r} would shadow the Python module of that name"
        raise NameError_(msg)
    environment = longest_environment(root / "environments")
    longest = f"{environment}-{name}-worker"
    if len(longest) > manifests.FUNCTION_NAME_LIMIT:
        msg = (
            f"NAME={name!r} is too long: its worker would be {longest!r} ({len(longest)} characters) in the "
            f"{environment} environment, over the {manifests.FUNCTION_NAME_LIMIT} a function name may have "
            f"(Lambda's 64 less the role's suffix); at most {manifests.FUNCTION_NAME_LIMIT - len(environment) - 8}"
        )
        raise NameError_(msg)
    return package


def files_for(name: str, package: str) -> dict[Path, str]:
    """Every file of the new workflow (path relative to the repository -> content)."""
    values = {
        "name": name,
        "package": package,
        "title": name.replace("-", " ").capitalize(),
        "variable": f"{package.upper()}_WORKER_FUNCTION",
    }

    def render(template: str) -> str:
        return Template((TEMPLATES / template).read_text()).substitute(values)

    return {
        Path("functions", package, "__init__.py"): render("__init__.py.tmpl"),
        Path("functions", package, "workflow.py"): render("workflow.py.tmpl"),
        Path("functions", package, "worker.py"): render("worker.py.tmpl"),
        Path("functions", package, manifests.MANIFEST): render("workload.json.tmpl"),
        Path("examples", name, "sample.json"): render("sample.json.tmpl"),
        Path("tests", "unit", f"test_{package}.py"): render("test.py.tmpl"),
    }


def scaffold(name: str, root: Path = ROOT) -> list[Path]:
    """Write the workflow under ``root``; NameError_ (nothing written) when the name cannot be used."""
    files = files_for(name, check_name(name, root))
    existing = [path for path in files if (root / path).exists()]
    if existing:
        msg = f"NAME={name!r}: {', '.join(map(str, existing))} already exist(s)"
        raise NameError_(msg)
    for path, content in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(content)
    return list(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--name", required=True, help="kebab-case name: the FN name, <env>-<name> the function")
    args = parser.parse_args(argv)
    try:
        written = scaffold(args.name)
    except NameError_ as error:
        print(f"error: {error}; nothing written", file=sys.stderr)
        return 2
    for path in written:
        print(f"new-workflow: wrote {path}")
    print(
        f"next: make test-python; make apply ENV=local; make invoke ENV=local FN={args.name} "
        f"PAYLOAD=examples/{args.name}/sample.json; make record SCENARIO={args.name}/sample"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
