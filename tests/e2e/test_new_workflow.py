"""A workflow of one's own, end to end: in a scratch copy of the repository, `make new-workflow`, then apply it to a
private local environment, invoke it, record it and pass the replay gate with nothing but the new workflow's files
changed; then rename one of its operations and the gate names it.

The copy's local environment serves E2E_EMULATOR_PORT + 1 (its emulator and engine +100 and +200), apart from this
session's; `make down` in the copy stops it. The copy links the checkout's virtualenvs and layer cache, so nothing
is installed again.
"""

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import PORT

ROOT = Path(__file__).resolve().parents[2]
NAME = "e2e-flow"
PACKAGE = "e2e_flow"
COPY_PORT = int(PORT) + 1
LINKED = (".venv", ".venv-emulator", "build/cache")  # reused from this checkout
NEW_FILES = {
    f"?? examples/{NAME}/",
    f"?? functions/{PACKAGE}/",
    f"?? replay/recordings/{NAME}/",
    f"?? tests/unit/test_{PACKAGE}.py",
}


def run(copy: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """A command in the copy, talking to the copy's local environment; the session's Terraform arguments (which
    name this checkout's files) are left out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_CLI_ARGS")}
    env |= {"LOCAL_PORT": str(COPY_PORT), "AWS_ENDPOINT_URL": f"http://127.0.0.1:{COPY_PORT}"}
    return subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, check=False)


def make(copy: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    done = run(copy, "make", *arguments)
    assert done.returncode == 0, f"make {' '.join(arguments)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def changed(copy: Path) -> set[str]:
    return set(run(copy, "git", "status", "--porcelain").stdout.splitlines())


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The repository's files (tracked and new, not ignored) in a fresh git repository, the checkout's virtualenvs
    and layer cache linked in."""
    copy = tmp_path_factory.mktemp("repository")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    for name in filter(None, listed.stdout.decode().split("\0")):
        if (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)  # mtimes kept: make sees the linked virtualenvs as up to date
    for name in LINKED:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).symlink_to(ROOT / name)
    run(copy, "git", "init", "--quiet")
    (copy / ".git" / "info" / "exclude").write_text("".join(f"/{name}\n" for name in LINKED))
    run(copy, "git", "add", "--all")
    committed = run(copy, "git", "-c", "user.name=e2e", "-c", "user.email=e2e@example.invalid", "commit", "-qm", "copy")
    assert committed.returncode == 0, committed.stderr
    try:
        yield copy
    finally:
        run(copy, "make", "down")


def test_a_bad_name_is_refused_and_nothing_is_written(copy):
    for name, reason in [
        ("Not_Kebab", "must be kebab-case"),
        ("parallel-math", "is taken"),
        ("a-name-long-enough-to-overflow-the-function-name-limit", "is too long"),
    ]:
        refused = run(copy, "make", "new-workflow", f"NAME={name}")
        assert refused.returncode != 0
        assert reason in refused.stderr
        assert "nothing written" in refused.stderr
    assert changed(copy) == set()


def test_a_new_workflow_is_deployed_invoked_recorded_and_gated(copy):
    make(copy, "new-workflow", f"NAME={NAME}")
    make(copy, "up")
    make(copy, "apply", "ENV=local")

    invoked = make(copy, "invoke", "ENV=local", f"FN={NAME}", f"PAYLOAD=examples/{NAME}/sample.json")
    answer = json.loads(invoked.stdout)
    assert answer["worker"] == {"item": "hello", "length": 5}

    make(copy, "record", f"SCENARIO={NAME}/sample")
    gate = make(copy, "replay-check")
    assert f"ok           {NAME} / sample" in gate.stdout
    assert changed(copy) == NEW_FILES


def test_renaming_an_operation_after_recording_is_named_by_the_gate(copy):
    workflow = copy / "functions" / PACKAGE / "workflow.py"
    source = workflow.read_text()
    assert source.count('name="prepare"') == 1
    workflow.write_text(source.replace('name="prepare"', 'name="prepare-renamed"'))

    gate = run(copy, "make", "replay-check")
    assert gate.returncode != 0
    assert (
        f"INCOMPATIBLE {NAME} / sample: expected 'prepare' (STEP Step) at operation #1, "
        "found 'prepare-renamed' (STEP Step)"
    ) in gate.stderr
