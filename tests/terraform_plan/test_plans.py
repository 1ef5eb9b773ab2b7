"""Checks on the saved plans of `make plan ENV=<env> EMULATOR=1` (build/plan-<env>.json).

`make test-plans` writes the dev and prod plans offline, then runs these tests; an environment whose plan file
is missing is skipped (run `make plan ENV=<env> EMULATOR=1` first).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.ci.scripts import plan_summary

REPO = Path(__file__).resolve().parents[2]
ENVIRONMENTS = ["dev", "prod"]
DURABLE = {"order-processor", "parallel-math", "durable-data-pipeline"}
WORKERS = {
    "inventory-worker",
    "payment-worker",
    "shipping-worker",
    "tax-worker",
    "data-validator",
    "data-transformer",
    "data-storage",
}


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


def test_three_durable_functions_with_durable_config(env):
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
        assert variables["POWERTOOLS_SERVICE_NAME"] in {"order-processing", "parallel-math", "data-pipeline"}
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
    assert names == {f"{env}-data-processing-queue", f"{env}-data-processing-dlq"}
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
    } <= outputs


def test_prod_differs_from_dev_where_it_should():
    dev, prod = load_plan("dev"), load_plan("prod")
    assert dev["variables"]["deletion_protection"]["value"] is False
    assert prod["variables"]["deletion_protection"]["value"] is True
    assert prod["variables"]["log_retention_days"]["value"] > dev["variables"]["log_retention_days"]["value"]
    assert planned("prod", "aws_cloudwatch_metric_alarm")
    assert not planned("dev", "aws_cloudwatch_metric_alarm")


def test_ci_summarises_the_real_plan(env):
    """The job summary CI shows reviewers counts this plan the way Terraform does (from empty state: all adds)."""
    plan = load_plan(env)
    creates = sum(rc["change"]["actions"] == ["create"] for rc in plan["resource_changes"])
    counts = plan_summary.count_changes(plan)
    assert (counts.add, counts.change, counts.destroy) == (creates, 0, 0)
    assert counts.has_changes
    assert f"Plan: {creates} to add, 0 to change, 0 to destroy." in plan_summary.render(env, counts)
