"""The GitHub Actions workflows keep their delivery guarantees.

Parses .github/workflows/*.yml and the local composite actions (no GitHub needed) and checks: pull requests run
lint, test and plans of dev and prod; AWS is reached only through OIDC roles named by repository variables;
plans are uploaded and summarised; a push to main applies dev before prod, prod behind the `prod` environment;
apply jobs apply the downloaded saved plan and never plan; applies to one environment never overlap; tool
versions and actions are pinned exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / ".github"
WORKFLOWS = GITHUB / "workflows"
TOOLCHAIN = "./.github/actions/toolchain"
ENVS = ("dev", "prod")

Job = dict[str, Any]


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), path
    return data


def workflow(name: str) -> dict[str, Any]:
    return load(WORKFLOWS / name)


def all_workflows() -> dict[str, dict[str, Any]]:
    return {path.name: load(path) for path in sorted(WORKFLOWS.glob("*.y*ml"))}


def triggers(wf: dict[str, Any]) -> dict[str, Any]:
    """The `on:` block; YAML 1.1 reads the bare key `on` as the boolean True."""
    on = wf["on"] if "on" in wf else wf[True]
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return on


def same_repository_path(uses: str) -> Path | None:
    """The file or directory a same-repository reference names: `$/path` (the running commit) or `./path`."""
    for prefix in ("$/", "./"):
        if uses.startswith(prefix):
            return ROOT / uses.removeprefix(prefix)
    return None


def steps(job: Job) -> list[dict[str, Any]]:
    """A job's steps with local composite actions (uses: $/... or ./...) replaced by their own steps."""
    out: list[dict[str, Any]] = []
    for step in job.get("steps", []):
        uses = step.get("uses", "")
        if local := same_repository_path(uses):
            action = load(local / "action.yml")
            assert action["runs"]["using"] == "composite", uses
            out += action["runs"]["steps"]
        else:
            out.append(step)
    return out


def jobs(wf: dict[str, Any]) -> dict[str, Job]:
    """Jobs of a workflow, with the jobs of local reusable workflows it calls (as `caller/callee`)."""
    out: dict[str, Job] = {}
    for name, job in wf["jobs"].items():
        out[name] = job
        uses = job.get("uses", "")
        local = same_repository_path(uses)
        if local and local.parent == WORKFLOWS:
            called = load(local)
            assert "workflow_call" in triggers(called), f"{uses} is called but has no workflow_call trigger"
            for inner, inner_job in jobs(called).items():
                out[f"{name}/{inner}"] = inner_job
    return out


def runs(job: Job) -> str:
    return "\n".join(step.get("run", "") for step in steps(job))


def steps_using(job: Job, action: str) -> list[dict[str, Any]]:
    return [step for step in steps(job) if step.get("uses", "").split("@")[0] == action]


def index_of(job: Job, predicate: Any) -> int:
    for index, step in enumerate(steps(job)):
        if predicate(step):
            return index
    raise AssertionError("no such step")


def matrix_include(job: Job) -> list[dict[str, Any]]:
    return job.get("strategy", {}).get("matrix", {}).get("include", [])


def job_envs(job: Job) -> list[str]:
    """The environments a plan/apply job works on: DEPLOY_ENV, or the matrix rows it expands to."""
    value = job.get("env", {}).get("DEPLOY_ENV")
    if value is None:
        return []
    if re.fullmatch(r"\$\{\{\s*matrix\.env\s*\}\}", value):
        return [row["env"] for row in matrix_include(job)]
    return [value]


def plan_jobs(wf: dict[str, Any]) -> dict[str, Job]:
    return {name: job for name, job in jobs(wf).items() if re.search(r"\bmake plan\b", runs(job))}


def apply_jobs(wf: dict[str, Any]) -> dict[str, Job]:
    return {name: job for name, job in jobs(wf).items() if re.search(r"\bmake apply\b", runs(job))}


def needs(job: Job) -> list[str]:
    value = job.get("needs", [])
    return [value] if isinstance(value, str) else list(value)


def transitive_needs(wf: dict[str, Any], name: str) -> set[str]:
    seen: set[str] = set()
    todo = needs(wf["jobs"][name])
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo += needs(wf["jobs"][current])
    return seen


def role_vars(job: Job) -> dict[str, str]:
    """env -> repository variable holding the role the job assumes (resolving vars[matrix.x] per matrix row)."""
    (step,) = steps_using(job, "aws-actions/configure-aws-credentials")
    role = step["with"]["role-to-assume"]
    if match := re.fullmatch(r"\$\{\{\s*vars\.([A-Z0-9_]+)\s*\}\}", role):
        return dict.fromkeys(job_envs(job), match[1])
    match = re.fullmatch(r"\$\{\{\s*vars\[matrix\.([a-z_]+)\]\s*\}\}", role)
    assert match, f"role-to-assume must come from a repository variable, got {role!r}"
    return {row["env"]: row[match[1]] for row in matrix_include(job)}


def environment_name(job: Job) -> str | None:
    env = job.get("environment")
    return env.get("name") if isinstance(env, dict) else env


def the_apply_job(env: str) -> tuple[str, Job]:
    (item,) = [(name, job) for name, job in apply_jobs(workflow("deploy.yml")).items() if job_envs(job) == [env]]
    return item


def uses_lines() -> Iterator[tuple[Path, str, str]]:
    """(file, action reference, rest of the line) for every `uses:` in workflows and local actions."""
    for path in sorted(GITHUB.rglob("*.y*ml")):
        for line in path.read_text().splitlines():
            if match := re.match(r"\s*(?:-\s+)?uses:\s*(\S+)(.*)$", line):
                yield path, match[1], match[2]


# --------------------------------------------------------------------------------------------------------------
# Pull requests
# --------------------------------------------------------------------------------------------------------------
def test_pull_requests_run_lint_test_and_plan_dev_and_prod_but_never_apply():
    pr = [wf for wf in all_workflows().values() if "pull_request" in triggers(wf)]
    assert pr, "no workflow runs on pull_request"
    pr_jobs = {name: job for wf in pr for name, job in jobs(wf).items()}
    commands = "\n".join(runs(job) for job in pr_jobs.values())
    assert re.search(r"^make lint$", commands, re.MULTILINE)
    assert re.search(r"^make test$", commands, re.MULTILINE)
    planned = {env for wf in pr for job in plan_jobs(wf).values() for env in job_envs(job)}
    assert planned == set(ENVS)
    for name, job in pr_jobs.items():
        assert "make apply" not in runs(job), f"{name}: a pull request must never apply"
        assert "terraform apply" not in runs(job), name
        assert environment_name(job) is None, f"{name}: pull requests deploy to no environment"
    for wf in pr:
        for name, job in plan_jobs(wf).items():
            assert 'make plan ENV="$DEPLOY_ENV"' in runs(job), name


def test_a_new_push_to_a_pull_request_cancels_its_previous_run():
    concurrency = workflow("ci.yml")["concurrency"]
    assert concurrency["cancel-in-progress"] is True
    assert re.search(r"github\.(event\.pull_request\.number|ref|head_ref)", concurrency["group"]), (
        "the group must be per pull request, or one PR cancels another's run"
    )


def test_pull_request_plans_skip_forks_which_get_no_oidc_token():
    for name, job in plan_jobs(workflow("ci.yml")).items():
        assert "head.repo.full_name == github.repository" in job.get("if", ""), name


# --------------------------------------------------------------------------------------------------------------
# AWS access: OIDC only, least privilege
# --------------------------------------------------------------------------------------------------------------
def test_every_job_touching_aws_assumes_a_role_through_oidc():
    checked = set()
    for wf_name, wf in all_workflows().items():
        for kind, found in (("plan", plan_jobs(wf)), ("apply", apply_jobs(wf))):
            checked |= {(wf_name, kind, env) for job in found.values() for env in job_envs(job)}
        for name, job in {**plan_jobs(wf), **apply_jobs(wf)}.items():
            assert job.get("permissions", {}).get("id-token") == "write", f"{wf_name}:{name}"
            (creds,) = steps_using(job, "aws-actions/configure-aws-credentials")
            assert not {"aws-access-key-id", "aws-secret-access-key"} & set(creds["with"]), f"{wf_name}:{name}"
            assert role_vars(job), f"{wf_name}:{name}"
            first_make = index_of(job, lambda step: re.search(r"\bmake (plan|apply)\b", step.get("run", "")))
            creds_at = index_of(job, lambda step, c=creds: step is c)
            assert creds_at < first_make, f"{wf_name}:{name}: credentials must be configured before make runs"
    expected = {("ci.yml", "plan", env) for env in ENVS}
    expected |= {("deploy.yml", kind, env) for kind in ("plan", "apply") for env in ENVS}
    assert checked == expected


def test_roles_are_per_environment_and_read_only_for_plans():
    for wf in all_workflows().values():
        for job in plan_jobs(wf).values():
            for env, var in role_vars(job).items():
                assert var == f"AWS_PLAN_ROLE_ARN_{env.upper()}"
        for job in apply_jobs(wf).values():
            for env, var in role_vars(job).items():
                assert var == f"AWS_APPLY_ROLE_ARN_{env.upper()}"


def test_permissions_are_minimal():
    for wf_name, wf in all_workflows().items():
        assert wf["permissions"] == {"contents": "read"}, wf_name
        for name, job in jobs(wf).items():
            permissions = job.get("permissions", {})
            granted = {scope for scope, level in permissions.items() if level == "write"}
            if steps_using(job, "aws-actions/configure-aws-credentials"):
                assert granted == {"id-token"}, f"{wf_name}:{name}"
            else:
                assert not granted, f"{wf_name}:{name}: only jobs that assume an AWS role may mint OIDC tokens"


def test_no_long_lived_aws_credentials_anywhere():
    for path in sorted(GITHUB.rglob("*")):
        if path.is_file():
            text = path.read_text()
            for forbidden in ("secrets.AWS", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "aws-access-key-id"):
                assert forbidden not in text, f"{path.relative_to(ROOT)} mentions {forbidden}"


# --------------------------------------------------------------------------------------------------------------
# Plans: uploaded with their packages, summarised
# --------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("wf_name", ["ci.yml", "deploy.yml"])
def test_plan_jobs_upload_the_plan_with_its_packages_and_summarise_it(wf_name):
    found = plan_jobs(workflow(wf_name))
    assert found
    for name, job in found.items():
        (upload,) = steps_using(job, "actions/upload-artifact")
        paths = [line.strip() for line in upload["with"]["path"].splitlines()]
        env = "${{ matrix.env }}" if matrix_include(job) else job_envs(job)[0]
        assert f"build/plan-{env}.tfplan" in paths, name
        assert f"build/plan-{env}.json" in paths, name
        assert "build/dist/" in paths, f"{name}: the zips the plan's hashes refer to must travel with it"
        assert upload["with"]["if-no-files-found"] == "error", name
        assert isinstance(upload["with"]["retention-days"], int), f"{name}: saved plans may hold secrets"
        plan_at = index_of(job, lambda step: "make plan" in step.get("run", ""))
        summary = [
            index
            for index, step in enumerate(steps(job))
            for line in step.get("run", "").replace("\\\n", " ").splitlines()
            if "plan_summary.py" in line
            and '--plan-json "build/plan-$DEPLOY_ENV.json"' in line
            and line.rstrip().endswith('>> "$GITHUB_STEP_SUMMARY"')
        ]
        assert summary, f"{name}: the plan must be summarised in the job summary"
        assert summary[0] > plan_at, name


# --------------------------------------------------------------------------------------------------------------
# Push to main: dev, then prod behind review, applying the saved plans
# --------------------------------------------------------------------------------------------------------------
def test_deploy_runs_only_for_pushes_to_main():
    on = triggers(workflow("deploy.yml"))
    assert set(on) == {"push"}
    assert on["push"]["branches"] == ["main"]


def test_no_workflow_runs_pull_request_code_with_the_base_repository_privileges():
    for wf_name, wf in all_workflows().items():
        assert not {"pull_request_target", "workflow_run"} & set(triggers(wf)), wf_name


def test_push_to_main_applies_dev_then_prod_after_lint_and_test():
    wf = workflow("deploy.yml")
    dev, _ = the_apply_job("dev")
    prod, _ = the_apply_job("prod")
    assert dev in transitive_needs(wf, prod), "prod must be applied only after dev was"
    assert not {prod} & transitive_needs(wf, dev)
    (gate,) = [name for name, job in wf["jobs"].items() if job.get("uses") == "./.github/workflows/checks.yml"]
    checks = "\n".join(runs(job) for name, job in jobs(wf).items() if name.startswith(f"{gate}/"))
    assert "make lint" in checks
    assert "make test" in checks
    for name in plan_jobs(wf):
        assert gate in transitive_needs(wf, name), f"{name} must wait for lint and test"
    for env in ENVS:
        name, _ = the_apply_job(env)
        (planner,) = [p for p, job in plan_jobs(wf).items() if job_envs(job) == [env]]
        assert planner in needs(wf["jobs"][name])


@pytest.mark.parametrize("env", ENVS)
def test_deploy_replays_the_recorded_executions_before_applying(env):
    """The replay-compatibility gate (replay/README.md) passes on the commit before its plan is made or applied."""
    wf = workflow("deploy.yml")
    name, job = the_apply_job(env)
    (planner,) = [p for p in needs(job) if p in plan_jobs(wf)]
    plan_job = wf["jobs"][planner]
    gate_at = index_of(plan_job, lambda step: step.get("run", "").strip() == "make replay-check")
    assert gate_at < index_of(plan_job, lambda step: "make plan" in step.get("run", "")), planner
    gate = steps(plan_job)[gate_at]
    assert "if" not in gate, f"{planner}: the replay check may not be skipped"
    assert not gate.get("continue-on-error"), f"{planner}: a failed replay check must stop the deployment"
    assert planner in needs(job), f"{name} applies only the plan of a job that ran the replay check"
    # And in the checks every workflow runs first: `make test` runs it too.
    assert re.search(r"^test:.*\breplay-check\b", (ROOT / "Makefile").read_text(), re.MULTILINE)


def test_apply_jobs_deploy_to_their_github_environment():
    for env in ENVS:
        name, job = the_apply_job(env)
        assert environment_name(job) == env, f"{name} must run in the `{env}` environment"
    # Reviewers gate the apply, not the plan: plan jobs run without an environment.
    for name, job in plan_jobs(workflow("deploy.yml")).items():
        assert environment_name(job) is None, name


@pytest.mark.parametrize("env", ENVS)
def test_apply_jobs_apply_exactly_the_downloaded_plan(env):
    wf = workflow("deploy.yml")
    name, job = the_apply_job(env)
    (planner,) = [p for p in needs(job) if p in plan_jobs(wf)]
    (upload,) = steps_using(wf["jobs"][planner], "actions/upload-artifact")
    (download,) = steps_using(job, "actions/download-artifact")
    assert download["with"]["name"] == upload["with"]["name"], "the apply must use its own plan job's artifact"
    assert download["with"]["path"] == "build"

    commands = runs(job)
    assert not re.search(r"\b(make plan|terraform plan|make package)\b", commands), f"{name} must not plan again"
    assert job["env"]["TF_CLI_ARGS_plan"].startswith("-apply-jobs-must-not-plan"), "the no-plan guard is gone"
    (apply_line,) = [line for line in commands.splitlines() if "make apply" in line]
    assert f"ENV={env}" in apply_line.split()
    assert f"PLAN=build/plan-{env}.tfplan" in apply_line.split()

    # Bytes check: the digest published with the summary is recomputed on the download before applying.
    assert wf["jobs"][planner]["outputs"]["digest"] == "${{ steps.digest.outputs.digest }}"
    assert "plan-digest.sh" in runs(wf["jobs"][planner])
    download_at = index_of(job, lambda step: step is download)
    check_at = index_of(
        job,
        lambda step: (
            f"needs.{planner}.outputs.digest" in str(step.get("env", "")) and "plan-digest.sh" in step.get("run", "")
        ),
    )
    apply_at = index_of(job, lambda step: "make apply" in step.get("run", ""))
    assert download_at < check_at < apply_at
    for step in steps(job):
        assert "if" not in step, f"{name}: no step of an apply job may be skipped ({step.get('name')})"
        assert not step.get("continue-on-error"), f"{name}: no failure of an apply job may be ignored"


def test_prod_is_sent_for_review_only_when_its_plan_changes_something():
    wf = workflow("deploy.yml")
    _, job = the_apply_job("prod")
    (planner,) = [p for p in needs(job) if p in plan_jobs(wf)]
    assert job["if"] == f"needs.{planner}.outputs.changes == 'true'"
    assert wf["jobs"][planner]["outputs"]["changes"] == "${{ steps.summary.outputs.changes }}"
    (summary,) = [step for step in steps(wf["jobs"][planner]) if step.get("id") == "summary"]
    assert '--github-output "$GITHUB_OUTPUT"' in summary["run"]


def test_two_applies_to_one_environment_never_overlap():
    wf = workflow("deploy.yml")
    groups = {}
    for env in ENVS:
        name, job = the_apply_job(env)
        concurrency = job["concurrency"]
        assert concurrency["cancel-in-progress"] is False, f"{name}: cancelling an apply can break the state"
        assert env in concurrency["group"].split("-"), f"{name}: the group must be keyed by the environment"
        assert "${{" not in concurrency["group"], f"{name}: one fixed group per environment, not per run"
        groups[env] = concurrency["group"]
    assert len(set(groups.values())) == len(ENVS)
    # The whole pipeline is serialised too, so a run never plans against a state another run is changing.
    pipeline = wf["concurrency"]
    assert pipeline["cancel-in-progress"] is False
    assert not re.search(r"run_id|run_number|sha", pipeline["group"])


# --------------------------------------------------------------------------------------------------------------
# Pinning
# --------------------------------------------------------------------------------------------------------------
def test_every_job_running_make_uses_the_pinned_toolchain():
    for wf_name, wf in all_workflows().items():
        for name, job in jobs(wf).items():
            if "make " not in runs(job):
                continue
            assert any(step.get("uses") == TOOLCHAIN for step in job["steps"]), f"{wf_name}:{name}"
            assert re.fullmatch(r"ubuntu-\d+\.\d+", job["runs-on"]), f"{wf_name}:{name}: pin the runner image"


def test_terraform_and_python_versions_are_exact():
    toolchain = {"steps": [{"uses": TOOLCHAIN}]}
    (terraform,) = steps_using(toolchain, "hashicorp/setup-terraform")
    assert terraform["with"]["terraform_version"] == "1.11.4"
    assert str(terraform["with"]["terraform_wrapper"]).lower() == "false"
    (python,) = steps_using(toolchain, "actions/setup-python")
    version = python["with"]["python-version"]
    assert isinstance(version, str), "quote the version: YAML reads 3.10 as 3.1"
    assert re.fullmatch(r"3\.11\.\d+", version), f"exact 3.11.x (the project's target), got {version!r}"
    # Nothing else installs its own Terraform or Python.
    for wf_name, wf in all_workflows().items():
        for name, job in wf["jobs"].items():
            for step in job.get("steps", []):
                action = step.get("uses", "").split("@")[0]
                assert action not in {"hashicorp/setup-terraform", "actions/setup-python"}, f"{wf_name}:{name}"


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_version():
    shas: dict[str, set[str]] = {}
    seen = 0
    for path, ref, rest in uses_lines():
        seen += 1
        where = f"{path.relative_to(ROOT)}: {ref}"
        if local := same_repository_path(ref):
            assert local.exists(), where
            continue
        match = re.fullmatch(r"([\w.-]+/[\w./-]+)@([0-9a-f]{40})", ref)
        assert match, f"{where}: pin to a full commit SHA"
        assert re.fullmatch(r"\s*#\s*v\d+\.\d+\.\d+\s*", rest), f"{where}: add the exact version as a comment"
        shas.setdefault(match[1], set()).add(f"{match[2]}{rest.strip()}")
    assert seen >= 10
    for action, pins in shas.items():
        assert len(pins) == 1, f"{action} is pinned to several versions: {pins}"


# --------------------------------------------------------------------------------------------------------------
# Canary releases (docs/releases.md)
# --------------------------------------------------------------------------------------------------------------
def canary_job(env: str) -> tuple[str, Job]:
    (item,) = [
        (name, job)
        for name, job in workflow("deploy.yml")["jobs"].items()
        if re.search(r"^make canary ENV=\"\$DEPLOY_ENV\"$", runs(job), re.MULTILINE) and job_envs(job) == [env]
    ]
    return item


def test_dev_canaries_are_judged_before_prod_is_planned_and_prod_canaries_after_its_approval():
    wf = workflow("deploy.yml")
    apply_dev, _ = the_apply_job("dev")
    apply_prod, _ = the_apply_job("prod")
    canary_dev, _ = canary_job("dev")
    _, job_prod = canary_job("prod")
    assert apply_dev in needs(wf["jobs"][canary_dev])
    (plan_prod,) = [p for p in needs(wf["jobs"][apply_prod]) if p in plan_jobs(wf)]
    assert canary_dev in transitive_needs(wf, plan_prod), "a failed dev canary must stop the pipeline before prod"
    assert apply_prod in needs(job_prod), "prod canaries are judged after the approved apply"
    assert "if" not in job_prod, "a prod apply is always followed by its canary"


@pytest.mark.parametrize("env", ENVS)
def test_a_canary_job_fails_on_a_withdrawn_canary_and_reports_in_its_summary(env):
    name, job = canary_job(env)
    assert environment_name(job) == env, name
    assert job["concurrency"]["group"] == the_apply_job(env)[1]["concurrency"]["group"], f"{name} applies"
    assert role_vars(job) == {env: f"AWS_APPLY_ROLE_ARN_{env.upper()}"}
    make_at = index_of(job, lambda step: step.get("run", "").startswith("make canary"))
    make = steps(job)[make_at]
    assert "if" not in make, name
    assert not make.get("continue-on-error"), f"{name}: a withdrawn canary must fail the job"
    (upload,) = steps_using(job, "actions/upload-artifact")
    assert upload["if"] == "always()", f"{name}: the reports of a withdrawn canary are kept"
    # The controller appends its table to the job summary (Makefile: --summary "$GITHUB_STEP_SUMMARY").
    makefile = (ROOT / "Makefile").read_text()
    assert '--summary "$(GITHUB_STEP_SUMMARY)"' in makefile
