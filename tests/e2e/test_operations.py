"""Operating the local environment as the person on call does (docs/operations.md, docs/runbook.md): `make logs`,
`make stop`, `make retry`, `make redrive` (their command, ``python -m ops``) and the console in a real browser.

The drill: a release with a worker fault switched on (inventory for orders, transformer for the pipeline, shipped
as tests/soak/faults.py ships it) rejects orders and dead-letters pipeline messages; the fix is released (the
switch rolled back); `redrive` and `retry` then bring every message and order through exactly once: each record
stored once, the stock down by exactly the confirmed units. Its figures go to build/ops-drill.json.

The browser test drives Debian's chromium (``make browser`` installs it) through chromium-driver, headless, against
the console served on a free port; screenshots go to build/.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from scripts import workloads

from tests.e2e.local_stack import deployed_outputs, stack  # noqa: F401 - fixtures `outputs` and `stack`
from tests.soak.contention import order
from tests.soak.env import SoakEnv, wait_until
from tests.soak.faults import fault_switch

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PIPELINE = "durable-data-pipeline"
DRILL_ORDERS = 2
DRILL_MESSAGES = 3


def ops(outputs_file: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """The command behind `make logs|stop|retry|redrive` for this session's environment."""
    return subprocess.run(
        [sys.executable, "-m", "ops", "--outputs", str(outputs_file), *arguments],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=300,
    )


@pytest.fixture(scope="module")
def outputs_file(outputs: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ops") / "outputs.json"
    path.write_text(json.dumps({name: {"value": value} for name, value in outputs.items()}))
    return path


def finished(execution_arn: str, timeout: float = 180) -> dict[str, Any]:
    lam = boto3.client("lambda")
    found: dict[str, Any] = {}

    def ended() -> bool:
        found.update(lam.get_durable_execution(DurableExecutionArn=execution_arn))
        return found["Status"] in workloads.TERMINAL_STATUSES

    assert wait_until(ended, timeout_s=timeout, interval_s=0.5), f"{execution_arn} still {found.get('Status')}"
    return found


@pytest.fixture(scope="module")
def confirmed_order(outputs: dict[str, Any]) -> str:
    """The ARN of a confirmed sample order."""
    started = boto3.client("lambda").invoke(
        FunctionName=outputs["order_processor_alias_arn"],
        InvocationType="Event",
        Payload=json.dumps(_sample_order()).encode(),
    )
    execution = finished(started["DurableExecutionArn"], timeout=600)
    assert json.loads(execution["Result"])["success"] is True, execution
    return str(started["DurableExecutionArn"])


def _sample_order() -> dict[str, Any]:
    sample = json.loads((ROOT / "examples" / "orders" / "sample-ca.json").read_text())
    return {**sample, "orderId": f"ORD-OPS-{uuid.uuid4().hex[:8]}"}


def test_logs_of_an_order_come_from_the_orchestrator_and_its_four_workers_in_time_order(
    outputs, outputs_file, confirmed_order
):
    result = ops(outputs_file, "logs", "--execution", confirmed_order)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    functions = {line.split()[1] for line in lines}
    assert functions == {"order-processor", "inventory-worker", "payment-worker", "shipping-worker", "tax-worker"}
    assert lines == sorted(lines), "not in time order"
    assert any("order confirmed" in line for line in lines)


def test_stop_refuses_an_ended_execution_and_stops_a_running_one(outputs, outputs_file, confirmed_order):
    refused = ops(outputs_file, "stop", "--execution", confirmed_order)
    assert refused.returncode == 2
    assert "has already ended (SUCCEEDED" in refused.stderr
    assert "make retry" in refused.stderr

    # A release whose shipping worker answers 20 s late keeps the order running long enough to stop it.
    with fault_switch(SoakEnv(outputs), "shipping", "slow", delay_seconds=20):
        started = boto3.client("lambda").invoke(
            FunctionName=outputs["order_processor_alias_arn"],
            InvocationType="Event",
            Payload=json.dumps(_sample_order()).encode(),
        )
        stopped = ops(outputs_file, "stop", "--execution", started["DurableExecutionArn"])

    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout.strip().endswith(": STOPPED")
    assert finished(started["DurableExecutionArn"])["Status"] == "STOPPED"


def test_retry_runs_the_same_version_and_input_once_however_often_it_is_asked(outputs, outputs_file, confirmed_order):
    original = boto3.client("lambda").get_durable_execution(DurableExecutionArn=confirmed_order)

    first = ops(outputs_file, "retry", "--execution", confirmed_order)
    second = ops(outputs_file, "retry", "--execution", confirmed_order)

    assert first.returncode == 0, first.stderr
    assert second.stdout == first.stdout  # the second call attaches to the first retry
    retried = finished(first.stdout.strip(), timeout=600)
    assert retried["Status"] == "SUCCEEDED"
    assert retried["DurableExecutionName"] == f"{original['DurableExecutionName']}-retry"
    assert retried["FunctionArn"] == original["FunctionArn"]  # same function, same version
    assert json.loads(retried["InputPayload"]) == json.loads(original["InputPayload"])
    # The workers are idempotent per order: the retry answers with the reservation the order already holds.
    assert json.loads(retried["Result"])["result"]["inventory"] == json.loads(original["Result"])["result"]["inventory"]


def test_redrive_refuses_a_queue_that_is_no_dead_letter_queue(outputs, outputs_file):
    result = ops(outputs_file, "redrive", "--queue", outputs["data_processing_queue_url"])
    assert result.returncode == 2
    assert "must be the dead-letter queue of exactly one queue" in result.stderr


# ----------------------------------------------------------------------------------------------------------------
# The drill
# ----------------------------------------------------------------------------------------------------------------
def _stored(outputs: dict[str, Any], marker: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    scan = boto3.client("dynamodb").get_paginator("scan")
    for page in scan.paginate(TableName=outputs["processed_data_table_name"], ConsistentRead=True):
        items += [i for i in page["Items"] if i["original_data"]["M"]["data_source"]["S"].startswith(marker)]
    return items


def _depth(queue_url: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


@pytest.fixture(scope="module")
def drill(outputs: dict[str, Any], outputs_file: Path) -> dict[str, Any]:
    """Run the drill once; its figures and the executions it left."""
    env = SoakEnv(outputs)
    run = uuid.uuid4().hex[:8]
    product, stock = f"DRILL-{run}", 50
    env.put_product(product, stock)
    marker = f"drill-{run}"
    sqs = boto3.client("sqs")
    dlq_url, queue_url = outputs["data_processing_dlq_url"], outputs["data_processing_queue_url"]
    # The drill counts and redrives its own messages: the poison messages earlier tests dead-lettered (some of them
    # received and still invisible) go first.
    sqs.purge_queue(QueueUrl=dlq_url)
    assert wait_until(lambda: _depth(dlq_url) == 0, timeout_s=30), "the dead-letter queue did not empty"
    figures: dict[str, Any] = {"orders": DRILL_ORDERS, "messages": DRILL_MESSAGES}
    began = time.monotonic()

    # The faulty release: every order is rejected (inventory fails), every message dead-lettered (transformer fails).
    with (
        fault_switch(env, "inventory", "permanent"),
        fault_switch(env, "transformer", "permanent", orchestrator=PIPELINE, worker_function="data-transformer"),
    ):
        lam = boto3.client("lambda")
        failed_orders = [
            lam.invoke(
                FunctionName=outputs["order_processor_alias_arn"],
                InvocationType="Event",
                Payload=json.dumps(order(f"ORD-DRILL-{run}-{n}", product, 1)).encode(),
            )["DurableExecutionArn"]
            for n in range(DRILL_ORDERS)
        ]
        for n in range(DRILL_MESSAGES):
            body = {"data_source": f"{marker}-{n}", "processing_type": "batch"}
            sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(body))
        ended = [finished(arn, timeout=600) for arn in failed_orders]
        figures["rejected_orders"] = sum(
            1 for e in ended if json.loads(e.get("Result") or "{}").get("success") is False
        )
        dead_lettered = wait_until(lambda: _depth(dlq_url) >= DRILL_MESSAGES, timeout_s=600)
        figures["dead_lettered"] = _depth(dlq_url)
        figures["faulty_release_seconds"] = round(time.monotonic() - began, 1)
    assert dead_lettered, f"only {_depth(dlq_url)} of {DRILL_MESSAGES} messages reached the DLQ"
    figures["stored_while_faulty"] = len(_stored(outputs, marker))

    # The fix is released (the switch rolled back): redrive the DLQ, retry the orders on live. Twice each: the
    # second redrive finds nothing, the second retry attaches.
    recovery = time.monotonic()
    redrive = ops(outputs_file, "redrive", "--queue", dlq_url.rsplit("/", 1)[-1])
    redrive_again = ops(outputs_file, "redrive", "--queue", dlq_url.rsplit("/", 1)[-1])
    retries = [ops(outputs_file, "retry", "--execution", arn, "--qualifier", "live") for arn in failed_orders]
    retries_again = [ops(outputs_file, "retry", "--execution", arn, "--qualifier", "live") for arn in failed_orders]
    retried = [finished(r.stdout.strip(), timeout=600) for r in retries if r.returncode == 0]
    all_stored = wait_until(lambda: len(_stored(outputs, marker)) >= DRILL_MESSAGES, timeout_s=600)
    figures["recovery_seconds"] = round(time.monotonic() - recovery, 1)
    wait_until(lambda: _depth(queue_url) == 0, timeout_s=60)
    time.sleep(3)  # a duplicate would be stored by now
    stored = _stored(outputs, marker)
    logs = ops(outputs_file, "logs", "--execution", failed_orders[0])
    figures.update(
        redrive=redrive.stdout.strip() or redrive.stderr.strip(),
        redrive_again=redrive_again.stdout.strip(),
        stored=len(stored),
        distinct_records=len({i["original_data"]["M"]["data_source"]["S"] for i in stored}),
        dlq_left=_depth(dlq_url),
        retried_confirmed=sum(1 for r in retried if json.loads(r.get("Result") or "{}").get("success") is True),
        stock_left=env.stock_of(product),
        stock_expected=stock - DRILL_ORDERS,
        total_seconds=round(time.monotonic() - began, 1),
    )
    BUILD.mkdir(exist_ok=True)
    (BUILD / "ops-drill.json").write_text(json.dumps(figures, indent=2) + "\n")
    return {
        "figures": figures,
        "all_stored": all_stored,
        "failed_orders": failed_orders,
        "retries": retries,
        "retries_again": retries_again,
        "logs": logs,
    }


def test_drill_a_faulty_release_then_redrive_and_retry_bring_everything_through_exactly_once(drill):
    figures = drill["figures"]
    assert figures["rejected_orders"] == DRILL_ORDERS
    assert figures["stored_while_faulty"] == 0
    assert figures["redrive"].startswith(f"moved {DRILL_MESSAGES} message(s)"), figures["redrive"]
    assert figures["redrive_again"].startswith("moved 0 message(s)")
    assert drill["all_stored"]
    assert figures["stored"] == figures["distinct_records"] == DRILL_MESSAGES  # each record stored once
    assert figures["dlq_left"] == 0
    assert all(r.returncode == 0 for r in drill["retries"]), [r.stderr for r in drill["retries"]]
    assert [r.stdout for r in drill["retries_again"]] == [r.stdout for r in drill["retries"]]
    assert figures["retried_confirmed"] == DRILL_ORDERS
    assert figures["stock_left"] == figures["stock_expected"]  # one unit per order, once


def test_drill_logs_of_a_failed_order_show_the_workers_error_line(drill):
    logs = drill["logs"]
    assert logs.returncode == 0, logs.stderr
    errors = [line for line in logs.stdout.splitlines() if line.split()[1:3] == ["inventory-worker", "ERROR"]]
    assert errors, logs.stdout
    assert "injected permanent fault in the inventory worker" in errors[0]
    assert any("order rejected" in line for line in logs.stdout.splitlines())


# ----------------------------------------------------------------------------------------------------------------
# The console in a browser
# ----------------------------------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def console(outputs_file: Path) -> Iterator[str]:
    """The console (`make console`'s command) on a free port of 127.0.0.1; stopped by its pid at the end."""
    port = _free_port()
    pid_file = BUILD / f"console-e2e-{port}.pid"
    log = (BUILD / f"console-e2e-{port}.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ops",
            "--outputs",
            str(outputs_file),
            "console",
            *("--port", str(port)),
            *("--pid-file", str(pid_file)),
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            return False

    try:
        assert wait_until(answers, timeout_s=30, interval_s=0.3), (BUILD / f"console-e2e-{port}.log").read_text()
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
    assert not pid_file.exists()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium import webdriver  # noqa: PLC0415 - only this module needs it
    from selenium.webdriver.chrome.service import Service  # noqa: PLC0415

    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.fail("chromium and chromium-driver are missing: run make browser")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"):
        options.add_argument(flag)
    options.add_argument("--window-size=1300,1100")
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _open_execution(browser: Any, console: str, arn: str) -> None:
    browser.get(f"{console}/execution?{urllib.parse.urlencode({'arn': arn})}")
    assert browser.find_element("id", "timeline")


def test_console_draws_a_confirmed_order_as_four_parallel_lanes_and_a_wait_to_scale(browser, console, confirmed_order):
    _open_execution(browser, console, confirmed_order)

    assert browser.find_element("id", "status").text == "SUCCEEDED"
    lanes = browser.find_elements("css selector", 'g.lane[data-parent="run-workers"]')
    assert sorted(lane.get_attribute("data-lane") for lane in lanes) == ["inventory", "payment", "shipping", "tax"]
    for lane in lanes:  # each branch's chained invoke, labelled with the worker version it called
        invoke = lane.find_element("css selector", "g.op.chainedinvoke")
        assert invoke.get_attribute("data-target").startswith(f"local-{lane.get_attribute('data-lane')}-worker:")
    wait = browser.find_element("css selector", 'g.op[data-kind="Wait"][data-name="confirmation-delay"] line.wait-gap')
    assert float(wait.get_attribute("data-seconds")) >= 1.0

    scale = float(browser.find_element("id", "timeline").get_attribute("data-scale"))
    drawn = [
        (float(bar.get_attribute("data-seconds")), bar.rect["width"])
        for bar in browser.find_elements("css selector", "rect.bar")
        if float(bar.get_attribute("data-seconds")) * scale >= 4
    ]
    assert len(drawn) >= 4
    for seconds, width in drawn:  # drawn by the browser at the page's one scale: width proportional to duration
        assert width == pytest.approx(seconds * scale, abs=1.0)
    BUILD.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(BUILD / "console-confirmed-order.png"))


def test_console_shows_a_failed_orders_failing_step_and_its_error(browser, console, drill):
    _open_execution(browser, console, drill["failed_orders"][0])

    failing = browser.find_elements("css selector", 'g.op[data-name^="invoke-inventory"][data-status="FAILED"]')
    assert [op.get_attribute("data-name") for op in failing] == [
        "invoke-inventory",
        "invoke-inventory-retry-1",
        "invoke-inventory-retry-2",
    ]
    row = browser.find_element("css selector", '#operations tr[data-name="invoke-inventory"]')
    assert "FAILED" in row.text
    assert "injected permanent fault in the inventory worker" in row.text
    assert "Order validation failed" in browser.find_element("id", "result").text
    log_text = browser.find_element("id", "logs").text
    assert "inventory-worker ERROR worker failed" in log_text
    assert browser.save_screenshot(str(BUILD / "console-failed-order.png"))


def test_console_lists_executions_newest_first_filtered_and_searched(browser, console, drill):
    browser.get(f"{console}/functions/order-processor?status=SUCCEEDED")
    started = [row.find_elements("tag name", "td")[2].text for row in browser.find_elements("css selector", "tbody tr")]
    assert started == sorted(started, reverse=True)
    assert all("SUCCEEDED" in row.text for row in browser.find_elements("css selector", "tbody tr"))

    name = boto3.client("lambda").get_durable_execution(DurableExecutionArn=drill["failed_orders"][0])
    browser.get(f"{console}/functions/order-processor?q={name['DurableExecutionName'][:13]}")
    rows = browser.find_elements("css selector", "tbody tr")
    # The failed order and its retry (named after it, started later: listed first).
    names = [row.find_element("tag name", "a").text for row in rows]
    assert names == [f"{name['DurableExecutionName']}-retry", name["DurableExecutionName"]]
