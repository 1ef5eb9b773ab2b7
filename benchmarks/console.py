"""`make bench-console`: how long the console takes to render one execution page, for a history of 100 operations.

Offline: a synthetic history shaped like a large order (a validation step, a parallel of 24 branches each holding a
failed chained invoke, a retry wait and a retried invoke, then a wait and a final step: 100 operations)
and 300 log lines go through the page's own code, ``compose_view`` (the timeline's layout) and the Jinja2 template,
in the Flask app. The boto3 reads the live page adds (GetDurableExecution, the history's pages, FilterLogEvents per
function) are not in these figures: they depend on the endpoint, not on the console.

    python -m benchmarks.console [--runs N] [--operations N]
"""

import argparse
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import render_template
from ops.console import server, timeline
from ops.logs import LogLine

from benchmarks.stats import Figure, table

# "local": the app's boto3 client then points at the local endpoint, which these figures never call.
OUTPUTS: dict[str, Any] = {
    "environment": "local",
    "workloads": {
        fn: {
            "function_name": f"local-{fn}",
            "alias_arn": f"arn:aws:lambda:us-east-1:123456789012:function:local-{fn}:live",
        }
        for fn in ("order-processor", "parallel-math", "data-pipeline")
    },
}
WORKER = "arn:aws:lambda:us-east-1:123456789012:function:local-worker-{n}:7"


def synthetic(operations: int) -> tuple[dict[str, Any], list[dict[str, Any]], list[LogLine]]:
    """An execution with ``operations`` operations (rounded to whole branches), its history and log lines."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    events: list[dict[str, Any]] = []

    def event(kind: str, sub: str, op: str, name: str, at: float, *, parent: str | None = None, **details: Any) -> None:
        entry = {
            "EventType": kind,
            "SubType": sub,
            "Id": op,
            "Name": name,
            "EventTimestamp": start + timedelta(seconds=at),
        }
        if parent:
            entry["ParentId"] = parent
        if details:
            entry[f"{kind}Details"] = details
        events.append(entry)

    event("StepStarted", "Step", "v", "validate-order", 0.1)
    event("StepSucceeded", "Step", "v", "validate-order", 0.2)
    branches = max(1, (operations - 4) // 4)
    event("ContextStarted", "Parallel", "p", "run-workers", 0.3)
    for n in range(branches):
        b, t = f"b{n}", 0.3 + n * 0.01
        event("ContextStarted", "ParallelBranch", b, f"worker-{n}", t, parent="p")
        event(
            "ChainedInvokeStarted",
            "ChainedInvoke",
            f"{b}i",
            f"invoke-{n}",
            t,
            parent=b,
            FunctionName=WORKER.format(n=n),
        )
        error = {"Error": {"Payload": {"ErrorType": "InjectedFault", "ErrorMessage": "transient"}}}
        event("ChainedInvokeFailed", "ChainedInvoke", f"{b}i", f"invoke-{n}", t + 0.5, parent=b, **error)
        event("WaitStarted", "Wait", f"{b}w", f"retry-wait-{n}-1", t + 0.5, parent=b)
        event("WaitSucceeded", "Wait", f"{b}w", f"retry-wait-{n}-1", t + 1.5, parent=b)
        event("ChainedInvokeStarted", "ChainedInvoke", f"{b}r", f"invoke-{n}-retry-1", t + 1.5, parent=b)
        event("ChainedInvokeSucceeded", "ChainedInvoke", f"{b}r", f"invoke-{n}-retry-1", t + 2.0 + n * 0.02, parent=b)
        event("ContextSucceeded", "ParallelBranch", b, f"worker-{n}", t + 2.1 + n * 0.02, parent="p")
    end = 2.5 + branches * 0.03
    event("ContextSucceeded", "Parallel", "p", "run-workers", end)
    event("WaitStarted", "Wait", "w", "confirmation-delay", end + 0.1)
    event("WaitSucceeded", "Wait", "w", "confirmation-delay", end + 1.1)
    event("StepStarted", "Step", "f", "finalize-order", end + 1.2)
    event("StepSucceeded", "Step", "f", "finalize-order", end + 1.3)
    execution = {
        "DurableExecutionArn": "bench/execution",
        "DurableExecutionName": "bench-execution",
        "FunctionArn": OUTPUTS["workloads"]["order-processor"]["alias_arn"].replace(":live", ":12"),
        "Status": "SUCCEEDED",
        "StartTimestamp": start,
        "EndTimestamp": start + timedelta(seconds=end + 1.4),
        "InputPayload": '{"orderId": "ORD-BENCH"}',
        "Result": '{"success": true}',
        "Version": "12",
    }
    lines = [
        LogLine(
            start + timedelta(seconds=i * 0.01), f"local-worker-{i % branches}", f'{{"level":"INFO","message":"{i}"}}'
        )
        for i in range(300)
    ]
    return execution, events, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bench-console", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--operations", type=int, default=100)
    args = parser.parse_args(argv)
    execution, events, lines = synthetic(args.operations)
    app = server.create_app(OUTPUTS)
    layouts, renders, sizes = [], [], []
    with app.test_request_context("/execution?arn=bench/execution"):
        for run in range(args.runs + 1):
            began = time.perf_counter()
            drawn = timeline.layout(events, execution["StartTimestamp"], execution["EndTimestamp"])
            laid_out = time.perf_counter()
            page = render_template("execution.html", **server.compose_view(OUTPUTS, execution, events, lines))
            finished = time.perf_counter()
            if run:  # the first run is a warm-up (template compilation)
                layouts.append((laid_out - began) * 1000)
                renders.append((finished - laid_out) * 1000)
                sizes.append(len(page.encode()) / 1024)
    print(f"{len(drawn.bars)} operations, {len(events)} events, {len(drawn.lanes)} lanes, {len(lines)} log lines")
    print(
        table(
            [
                Figure("console_layout_ms", layouts, unit="ms", digits=2),
                Figure("console_page_render_ms", renders, unit="ms", digits=2),
                Figure("console_page_kib", sizes, unit="KiB", digits=1),
            ]
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
