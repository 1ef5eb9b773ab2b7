"""Checks on the saved plans of `make plan ENV=<env> EMULATOR=1` (build/plan-<env>.json).

`make test-plans` writes the dev and prod plans offline, then runs these tests; an environment whose plan file
is missing is skipped (run `make plan ENV=<env> EMULATOR=1` first).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from scripts import manifests

from tests.ci.scripts import plan_summary

REPO = Path(__file__).resolve().parents[2]
ENVIRONMENTS = ["dev", "prod"]
# What every plan must hold: the workloads as declared (functions/*/workload.json).
DECLARED = manifests.workloads()
DURABLE = {f.key for w in DECLARED for f in w.durable_functions}
WORKERS = {worker.key for w in DECLARED for worker in w.workers}
SERVICES = {w.name for w in DECLARED}
# Each durable function's *_FUNCTION variables: the chained workers it was released with.
CHAINED = {f.key: f.chained_workers for w in DECLARED for f in w.durable_functions}
DURABLE_ALARMS = {
    "failed": ("AWS/Lambda", "DurableExecutionFailed", "Sum", "GreaterThanThreshold"),
    "timed-out": ("AWS/Lambda", "DurableExecutionTimedOut", "Sum", "GreaterThanThreshold"),
    "storage": ("AWS/Lambda", "DurableExecutionStorageWrittenBytes", "Maximum", "GreaterThanOrEqualToThreshold"),
    "utilization": (
        "AWS/Lambda",
        "ApproximateRunningDurableExecutionsUtilization",
        "Maximum",
        "GreaterThanThreshold",
    ),
}
STORAGE_LIMIT_BYTES = 100 * 1000 * 1000
FOURTEEN_DAYS = 14 * 24 * 3600


@cache
def load_plan(env: str) -> dict[str, Any]:
    path = REPO / "build" / f"plan-{env}.json"
    if not path.exists():
        pytest.skip(f"{path.name} missing: run `make plan ENV={env} EMULATOR=1`")
    return json.loads(path.read_text())


def planned(env: str, resource_type: str) -> list[dict[str, Any]]:
    return [
        {"address": rc["address"], **(rc["change"]["after"] or {})}
        for rc in load_plan(env)["resource_changes"]
        if rc["type"] == resource_type
    ]


def changes(env: str, resource_type: str) -> list[dict[str, Any]]:
    return [rc for rc in load_plan(env)["resource_changes"] if rc["type"] == resource_type]


def durable_functions(env: str) -> dict[str, dict[str, Any]]:
    functions = {}
    for stack in planned(env, "aws_cloudformation_stack"):
        template = json.loads(stack["template_body"])
        props = template["Resources"]["Function"]["Properties"]
        functions[props["FunctionName"]] = template
    return functions


@pytest.fixture(params=ENVIRONMENTS)
def env(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_every_declared_durable_function_with_durable_config(env):
    functions = durable_functions(env)
    assert set(functions) == {f"{env}-{name}" for name in DURABLE}
    for template in functions.values():
        props = template["Resources"]["Function"]["Properties"]
        assert props["Runtime"] in {"python3.13", "python3.14"}
        assert 1 <= props["DurableConfig"]["ExecutionTimeout"] <= 31622400
        assert 1 <= props["DurableConfig"]["RetentionPeriodInDays"] <= 90
        assert template["Resources"]["Alias"]["Properties"]["Name"] == "live"
        assert sum(r["Type"] == "AWS::Lambda::Version" for r in template["Resources"].values()) == 1


def test_pipeline_execution_timeout_fits_the_esm_limit(env):
    pipeline = durable_functions(env)[f"{env}-durable-data-pipeline"]
    assert pipeline["Resources"]["Function"]["Properties"]["DurableConfig"]["ExecutionTimeout"] <= 900


def test_every_function_reads_environment_and_powertools_settings(env):
    templates = durable_functions(env).values()
    envs = [t["Resources"]["Function"]["Properties"]["Environment"]["Variables"] for t in templates]
    envs += [fn["environment"][0]["variables"] for fn in planned(env, "aws_lambda_function")]
    assert len(envs) == len(DURABLE) + len(WORKERS)
    for variables in envs:
        assert variables["ENVIRONMENT"] == env
        assert variables["POWERTOOLS_SERVICE_NAME"] in SERVICES
        assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "DurableDeploy"
        assert variables["POWERTOOLS_LOG_LEVEL"] in {"DEBUG", "INFO"}


def test_workers_have_the_contract_names(env):
    assert {fn["function_name"] for fn in planned(env, "aws_lambda_function")} == {f"{env}-{w}" for w in WORKERS}


def test_event_source_mapping_reports_batch_item_failures(env):
    (esm,) = planned(env, "aws_lambda_event_source_mapping")
    assert esm["function_response_types"] == ["ReportBatchItemFailures"]
    assert esm["batch_size"] == 5
    assert esm["maximum_batching_window_in_seconds"] == 10


def test_queues_redrive_policy_and_names(env):
    names = {q["name"] for q in planned(env, "aws_sqs_queue")}
    durable_dlqs = {f"{env}-{name}-dlq" for name in DURABLE}
    assert names == {f"{env}-data-processing-queue", f"{env}-data-processing-dlq"} | durable_dlqs
    assert len(planned(env, "aws_sqs_queue_redrive_policy")) == 1
    assert len(planned(env, "aws_sqs_queue_redrive_allow_policy")) == 1


def test_tables_and_protection(env):
    tables = {t["name"]: t for t in planned(env, "aws_dynamodb_table")}
    assert set(tables) == {f"{env}-inventory", f"{env}-processed-data"}
    assert tables[f"{env}-inventory"]["hash_key"] == "pk"
    assert tables[f"{env}-processed-data"]["hash_key"] == "execution_id"
    for table in tables.values():
        assert table["deletion_protection_enabled"] is (env == "prod")


def test_demo_stock_only_outside_prod(env):
    items = planned(env, "aws_dynamodb_table_item")
    if env == "prod":
        assert items == []
    else:
        stocks = {json.loads(i["item"])["pk"]["S"]: json.loads(i["item"])["stock"]["N"] for i in items}
        assert stocks == {f"PRODUCT#PROD-00{n}": "1000" for n in (1, 2, 3)}


def test_no_fault_switch_outside_the_local_environment(env):
    """fault_injection is refused outside local by its validation; the plans carry no FAULT_INJECTION either."""
    assert load_plan(env)["variables"].get("fault_injection", {}).get("value") is None
    for function in planned(env, "aws_lambda_function"):
        for environment in function.get("environment") or []:
            assert "FAULT_INJECTION" not in (environment.get("variables") or {}), function["address"]


def test_root_outputs_other_tooling_reads(env):
    outputs = set(load_plan(env)["planned_values"]["outputs"])
    assert {
        "order_processor_alias_arn",
        "parallel_math_alias_arn",
        "data_pipeline_alias_arn",
        "data_processing_queue_url",
        "data_processing_dlq_url",
        "processed_data_table_name",
        "inventory_table_name",
        "environment",
        "workloads",
    } <= outputs


def test_the_workloads_output_names_every_declared_durable_function_by_its_fn(env):
    change = load_plan(env)["output_changes"]["workloads"]
    assert change["after"] == {f.fn: {"handler": f.handler} for w in DECLARED for f in w.durable_functions}
    # Function name and alias ARN come from the stacks, known after apply.
    assert all(unknown == {"alias_arn": True, "function_name": True} for unknown in change["after_unknown"].values())


def test_prod_differs_from_dev_where_it_should():
    dev, prod = load_plan("dev"), load_plan("prod")
    assert dev["variables"]["deletion_protection"]["value"] is False
    assert prod["variables"]["deletion_protection"]["value"] is True
    assert prod["variables"]["log_retention_days"]["value"] > dev["variables"]["log_retention_days"]["value"]
    # Only prod pages someone: the SNS topic, the pipeline DLQ alarm, and actions on every durable alarm.
    assert planned("prod", "aws_sns_topic")
    assert not planned("dev", "aws_sns_topic")
    assert any("data_processing_queue" in a["address"] for a in planned("prod", "aws_cloudwatch_metric_alarm"))
    assert not any("data_processing_queue" in a["address"] for a in planned("dev", "aws_cloudwatch_metric_alarm"))
    for rc in changes("prod", "aws_cloudwatch_metric_alarm"):
        assert rc["change"]["after_unknown"].get("alarm_actions"), rc["address"]  # the topic's ARN, known at apply
    for rc in changes("dev", "aws_cloudwatch_metric_alarm"):
        assert not rc["change"]["after"]["alarm_actions"], rc["address"]  # visible, notifies no one
    dev_monitoring = dev["variables"]["durable_monitoring"]["value"]
    prod_monitoring = prod["variables"]["durable_monitoring"]["value"]
    assert prod_monitoring["failed_threshold"] <= dev_monitoring["failed_threshold"]


# --- Pinned releases: a durable function's version calls exactly the worker versions it was released with ---


def test_workers_publish_a_version_per_change(env):
    for rc in changes(env, "aws_lambda_function"):
        assert rc["change"]["after"]["publish"] is True, rc["address"]
        # From empty state the version is known only after apply: the plan must not pretend to know it.
        assert rc["change"]["after_unknown"]["qualified_arn"] is True, rc["address"]
        assert rc["change"]["after_unknown"]["version"] is True, rc["address"]


def test_every_function_variable_of_a_durable_function_is_a_pinned_worker_version(env):
    """*_FUNCTION variables are stack parameters (the template stays known at plan time) fed from the workers'
    published versions; the module rejects $LATEST and aliases (terraform/modules/durable_function tests)."""
    for name, template in durable_functions(env).items():
        key = name.removeprefix(f"{env}-")
        variables = template["Resources"]["Function"]["Properties"]["Environment"]["Variables"]
        refs = {k: v for k, v in variables.items() if k.endswith("_FUNCTION")}
        assert set(refs) == set(CHAINED[key]), name
        for variable, value in refs.items():
            assert isinstance(value, dict), f"{name}: {variable} is not pinned: {value!r}"
            assert set(value) == {"Ref"}, f"{name}: {variable} is not pinned: {value!r}"
            assert template["Parameters"][value["Ref"]]["Type"] == "String"
        assert all(not isinstance(v, str) or ":function:" not in v for v in variables.values())

    call = load_plan(env)["configuration"]["root_module"]["module_calls"]["durable"]
    assert "module.worker" in call["expressions"]["chained_functions"]["references"]
    worker_outputs = load_plan(env)["configuration"]["root_module"]["module_calls"]["worker"]["module"]["outputs"]
    assert "aws_lambda_function.this.version" in worker_outputs["function_version"]["expression"]["references"]


# --- Durable failures are never silent ---


def test_a_dead_letter_queue_per_durable_function(env):
    queues = {q["name"]: q for q in planned(env, "aws_sqs_queue")}
    key_unknown = {rc["change"]["after"]["name"]: rc["change"]["after_unknown"] for rc in changes(env, "aws_sqs_queue")}
    for name, template in durable_functions(env).items():
        dlq = queues[f"{name}-dlq"]
        # SSE-SQS, or a KMS key (the environment's, known after apply: test_environment_key.py)
        assert dlq.get("sqs_managed_sse_enabled") is True or key_unknown[f"{name}-dlq"].get("kms_master_key_id")
        assert dlq["message_retention_seconds"] >= FOURTEEN_DAYS
        props = template["Resources"]["Function"]["Properties"]
        assert props["DeadLetterConfig"] == {"TargetArn": {"Ref": "DeadLetterQueueArn"}}
        assert "DeadLetterQueueArn" in template["Parameters"]

    call = load_plan(env)["configuration"]["root_module"]["module_calls"]["durable"]["module"]
    stack = next(r for r in call["resources"] if r["address"] == "aws_cloudformation_stack.this")
    assert "local.parameters" in stack["expressions"]["parameters"]["references"]


def test_durable_alarms_per_durable_function(env):
    alarms = {a["alarm_name"]: a for a in planned(env, "aws_cloudwatch_metric_alarm")}
    # The plan records the tfvars as written; the rest are the variable's defaults (terraform/stack/variables.tf).
    monitoring = {
        "storage_bytes_threshold_ratio": 0.8,
        "utilization_threshold_percent": 80,
        **load_plan(env)["variables"]["durable_monitoring"]["value"],
    }
    thresholds = {
        "failed": monitoring["failed_threshold"],
        "timed-out": monitoring["timed_out_threshold"],
        "storage": monitoring["storage_bytes_threshold_ratio"] * STORAGE_LIMIT_BYTES,
        "utilization": monitoring["utilization_threshold_percent"],
    }
    assert thresholds["utilization"] <= 80
    for name in durable_functions(env):
        for kind, (namespace, metric, statistic, operator) in DURABLE_ALARMS.items():
            alarm = alarms[f"{name}-durable-{kind}"]
            assert (alarm["namespace"], alarm["metric_name"], alarm["statistic"]) == (namespace, metric, statistic)
            assert alarm["comparison_operator"] == operator
            assert alarm["dimensions"] == {"FunctionName": name}
            assert alarm["threshold"] == pytest.approx(thresholds[kind], abs=1)
        assert alarms[f"{name}-durable-storage"]["threshold"] < STORAGE_LIMIT_BYTES
        depth = alarms[f"{name}-dlq-depth"]
        assert (depth["namespace"], depth["metric_name"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
        assert depth["dimensions"] == {"QueueName": f"{name}-dlq"}
        assert depth["threshold"] >= 1


def runbook_sections() -> set[str]:
    """The anchors of docs/runbook.md's sections, as GitHub derives them from the headings."""
    headings = re.findall(r"^#+ (.+)$", (REPO / "docs" / "runbook.md").read_text(), flags=re.MULTILINE)
    return {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in headings}


def test_every_alarm_links_to_its_section_of_the_runbook(env):
    alarms = planned(env, "aws_cloudwatch_metric_alarm")
    sections = runbook_sections()
    linked = {}
    for alarm in alarms:
        link = re.search(r"Runbook: docs/runbook\.md#([a-z0-9-]+)\.", alarm["alarm_description"])
        assert link, f"{alarm['alarm_name']}: no runbook link in {alarm['alarm_description']!r}"
        assert link[1] in sections, f"{alarm['alarm_name']} links to #{link[1]}, which docs/runbook.md lacks"
        linked[alarm["alarm_name"]] = link[1]
    for name in durable_functions(env):  # each kind of alarm has its own section
        assert linked[f"{name}-durable-failed"] == "executions-failed"
        assert linked[f"{name}-durable-timed-out"] == "executions-timed-out"
        assert linked[f"{name}-durable-storage"] == "storage-written-near-the-limit"
        assert linked[f"{name}-durable-utilization"] == "running-executions-near-the-quota"
        assert linked[f"{name}-dlq-depth"] == "durable-function-dlq-not-empty"
    pipeline_dlq_alarm = f"{env}-data-processing-dlq-depth"
    assert linked.get(pipeline_dlq_alarm, "pipeline-dlq-not-empty") == "pipeline-dlq-not-empty"


def test_canary_released_functions_get_a_release_record_and_alarms_on_their_version(env):
    """docs/releases.md: every durable function has its release record; canary-released ones get alarms on the
    newest version (Resource dimension); the controller reads everything from the durable_releases output."""
    releases = load_plan(env)["variables"]["releases"]["value"]
    assert any(r["strategy"] == "canary" for r in releases.values()), f"{env} releases nothing as a canary"
    records = {p["name"] for p in planned(env, "aws_ssm_parameter")}
    alarms = {a["alarm_name"] for a in planned(env, "aws_cloudwatch_metric_alarm")}
    for name in durable_functions(env):
        key = name.removeprefix(f"{env}-")
        assert f"/durable-deploy/{name}/release" in records, name
        canary = releases.get(key, {}).get("strategy") == "canary"
        for kind in ("failed", "timed-out"):
            assert (f"{name}-durable-canary-{kind}" in alarms) is canary, name
    assert "durable_releases" in load_plan(env)["planned_values"]["outputs"] or any(
        o == "durable_releases" for o in load_plan(env)["configuration"]["root_module"]["outputs"]
    )


def test_one_dashboard_with_the_durable_metrics(env):
    (dashboard,) = planned(env, "aws_cloudwatch_dashboard")
    assert dashboard["dashboard_name"] == f"{env}-durable-functions"
    body = dashboard["dashboard_body"]
    for needle in [
        "DurableExecutionStarted",
        "DurableExecutionSucceeded",
        "DurableExecutionFailed",
        "DurableExecutionTimedOut",
        "DurableExecutionDuration",
        "DurableExecutionOperations",
        f"{env}-data-processing-queue",
        f"{env}-data-processing-dlq",
        '"Errors"',
        *(f"{name}-dlq" for name in durable_functions(env)),
        *(f"{env}-{worker}" for worker in WORKERS),
    ]:
        assert needle in body, needle


def test_ci_summarises_the_real_plan(env):
    """The job summary CI shows reviewers counts this plan the way Terraform does (from empty state: all adds)."""
    plan = load_plan(env)
    creates = sum(rc["change"]["actions"] == ["create"] for rc in plan["resource_changes"])
    counts = plan_summary.count_changes(plan)
    assert (counts.add, counts.change, counts.destroy) == (creates, 0, 0)
    assert counts.has_changes
    assert f"Plan: {creates} to add, 0 to change, 0 to destroy." in plan_summary.render(env, counts)
