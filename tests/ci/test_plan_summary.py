"""The plan summary (.github/scripts/plan_summary.py) and plan digest (.github/scripts/plan-digest.sh) used by CI."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.ci.scripts import SCRIPTS, plan_summary


def change(address, *actions, importing=False):
    detail = {"actions": list(actions)}
    if importing:
        detail["importing"] = {"id": "x"}
    return {"address": address, "change": detail}


def plan(*changes, outputs=None):
    return {"resource_changes": list(changes), "output_changes": outputs or {}}


def test_counts_match_terraforms_plan_line():
    counts = plan_summary.count_changes(
        plan(
            change("a.new", "create"),
            change("a.edit", "update"),
            change("a.gone", "delete"),
            change("a.swap", "delete", "create"),
            change("a.swap_cbd", "create", "delete"),
            change("data.a.read", "read"),
            change("a.same", "no-op"),
        )
    )
    # Terraform counts a replacement as one add and one destroy.
    assert counts.plan_line() == "Plan: 3 to add, 1 to change, 3 to destroy."
    assert counts.replace == 2
    assert counts.has_changes
    assert ("read", "data.a.read") not in counts.rows
    assert ("replace", "a.swap_cbd") in counts.rows


def test_reads_and_no_ops_are_no_changes_but_outputs_forgets_and_imports_are():
    assert not plan_summary.count_changes(plan(change("a", "no-op"), change("data.b", "read"))).has_changes
    assert plan_summary.count_changes(plan(outputs={"url": {"actions": ["update"]}})).has_changes
    assert not plan_summary.count_changes(plan(outputs={"url": {"actions": ["no-op"]}})).has_changes
    assert plan_summary.count_changes(plan(change("a", "forget"))).has_changes
    imported = plan_summary.count_changes(plan(change("a", "no-op", importing=True)))
    assert imported.has_changes
    assert imported.rows == [("import", "a")]


def test_render_warns_about_destroys_and_lists_them_first():
    counts = plan_summary.count_changes(plan(change("z.new", "create"), change("b.gone", "delete")))
    text = plan_summary.render("prod", counts, digest="abc123")
    assert "## Terraform plan: `prod`" in text
    assert "**Plan: 1 to add, 0 to change, 1 to destroy.**" in text
    assert "**Warning:** this plan destroys 1 resource(s)" in text
    assert "`abc123`" in text
    assert text.index("| delete | `b.gone` |") < text.index("| create | `z.new` |")
    quiet = plan_summary.render("dev", plan_summary.count_changes(plan(change("z.new", "create"))))
    assert "Warning" not in quiet


def test_render_says_no_changes():
    text = plan_summary.render("dev", plan_summary.count_changes(plan(change("a", "no-op"))))
    assert "**No changes.**" in text
    assert "| Action |" not in text


def test_plan_text_drops_the_refresh_noise_and_colours():
    log = (
        "aws_s3_bucket.artifacts: Refreshing state... [id=bucket]\n"
        "data.aws_caller_identity.this: Reading...\n"
        "\x1b[1mTerraform used the selected providers to generate the following execution plan.\x1b[0m\n"
        '  \x1b[32m+\x1b[0m resource "aws_sqs_queue" "q" {\n'
        "Plan: 1 to add, 0 to change, 0 to destroy.\n"
    )
    text = plan_summary.plan_text(log)
    assert text.startswith("Terraform used the selected providers")
    assert "Refreshing state" not in text
    assert "\x1b" not in text
    assert text.endswith("Plan: 1 to add, 0 to change, 0 to destroy.")


def test_long_plan_text_is_truncated_and_fences_survive_backticks():
    text = plan_summary.plan_text("No changes.\n" + "x" * (plan_summary.MAX_PLAN_TEXT_CHARS + 10))
    assert len(text) < plan_summary.MAX_PLAN_TEXT_CHARS + 200
    assert text.endswith("plan artifact)")
    rendered = plan_summary.render("dev", plan_summary.count_changes(plan()), log="No changes.\n```nested```")
    assert "````text" in rendered


def test_main_writes_the_summary_and_the_changes_output(tmp_path, capsys):
    plan_json = tmp_path / "plan-dev.json"
    plan_json.write_text(json.dumps(plan(change("a", "no-op"))))
    output = tmp_path / "github_output"
    output.write_text("digest=abc\n")
    assert plan_summary.main(["--env", "dev", "--plan-json", str(plan_json), "--github-output", str(output)]) == 0
    assert "**No changes.**" in capsys.readouterr().out
    assert output.read_text() == "digest=abc\nchanges=false\n"


# --------------------------------------------------------------------------------------------------------------
# plan-digest.sh
# --------------------------------------------------------------------------------------------------------------
@pytest.fixture
def workspace(tmp_path):
    """A checkout-like tree: .github/scripts/plan-digest.sh and build/{plan-dev.tfplan,dist/*}."""
    scripts = tmp_path / ".github" / "scripts"
    scripts.mkdir(parents=True)
    shutil.copy2(SCRIPTS / "plan-digest.sh", scripts)
    dist = tmp_path / "build" / "dist"
    dist.mkdir(parents=True)
    (tmp_path / "build" / "plan-dev.tfplan").write_bytes(b"plan")
    (dist / "layer.zip").write_bytes(b"layer")
    (dist / "order_processing.zip").write_bytes(b"orders")
    return tmp_path


def digest(workspace, env="dev"):
    return subprocess.run(
        ["bash", str(workspace / ".github" / "scripts" / "plan-digest.sh"), env],
        capture_output=True,
        text=True,
        check=False,
        cwd="/",
    )


def test_digest_is_stable_and_covers_the_plan_and_every_zip(workspace):
    first = digest(workspace)
    assert first.returncode == 0, first.stderr
    assert len(first.stdout.strip()) == 64
    assert digest(workspace).stdout == first.stdout
    (workspace / "build" / "dist" / "layer.zip").write_bytes(b"layer2")
    assert digest(workspace).stdout != first.stdout
    (workspace / "build" / "dist" / "layer.zip").write_bytes(b"layer")
    (workspace / "build" / "plan-dev.tfplan").write_bytes(b"other plan")
    assert digest(workspace).stdout != first.stdout


def test_digest_fails_without_a_plan(workspace):
    result = digest(workspace, env="prod")
    assert result.returncode != 0
    assert "build/plan-prod.tfplan is missing" in result.stderr
