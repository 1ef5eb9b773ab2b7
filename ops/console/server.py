"""The console's web server (Flask, Jinja2 templates): read-only pages over the same boto3 calls as `make history`.

* ``/`` the environment's durable functions;
* ``/functions/<fn>`` its executions, newest first, filtered by status and by a part of the name, paged;
* ``/execution?arn=…`` one execution: status, version, input, result or error, the timeline (timeline.py) and its
  log lines from every function it touched (ops/logs.py). A running execution's page reloads itself every
  REFRESH_SECONDS until it ends.

Served on 127.0.0.1 only: there is nothing to log in to, and the page shows whatever the user's credentials can read.
"""

import json
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, abort, render_template, request, url_for
from scripts import workloads

from ops import logs
from ops.console import timeline

PAGE_SIZE = 25
REFRESH_SECONDS = 2
LISTED_AT_MOST = 1000  # executions read per function for one listing page (newest first)
STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED")


def create_app(outputs: dict[str, Any]) -> Flask:
    app = Flask(__name__)
    environment = str(outputs.get("environment", ""))
    lam = workloads.lambda_client(outputs)

    deployed: dict[str, dict[str, str]] = outputs.get("workloads", {})

    def function_name(fn: str) -> str:
        if fn not in deployed:
            abort(404, f"no durable function {fn!r}; deployed: {', '.join(sorted(deployed))}")
        return deployed[fn]["function_name"]

    @app.context_processor
    def common() -> dict[str, Any]:
        return {"environment": environment, "functions": sorted(deployed)}

    @app.get("/")
    def index() -> str:
        return render_template("index.html")

    @app.get("/functions/<fn>")
    def executions(fn: str) -> str:
        status = request.args.get("status", "")
        search = request.args.get("q", "").strip()
        page = max(1, request.args.get("page", 1, type=int) or 1)
        arguments: dict[str, Any] = {"FunctionName": function_name(fn)}
        if status in STATUSES:
            arguments["Statuses"] = [status]
        found: list[dict[str, Any]] = []
        for listed in lam.get_paginator("list_durable_executions_by_function").paginate(**arguments):
            found += listed["DurableExecutions"]
            if len(found) >= LISTED_AT_MOST:
                break
        if status in STATUSES:  # also where the service ignores the filter
            found = [e for e in found if e["Status"] == status]
        if search:
            found = [e for e in found if search.lower() in e["DurableExecutionName"].lower()]
        found.sort(key=lambda e: e["StartTimestamp"], reverse=True)
        pages = max(1, -(-len(found) // PAGE_SIZE))
        shown = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        return render_template(
            "executions.html",
            fn=fn,
            rows=shown,
            status=status,
            statuses=STATUSES,
            search=search,
            page=page,
            pages=pages,
            total=len(found),
            link=lambda **changes: url_for("executions", fn=fn, **{"status": status, "q": search, **changes}),
        )

    @app.get("/execution")
    def execution() -> str:
        arn = request.args.get("arn", "")
        if not arn:
            abort(400, "the execution's ARN is required: /execution?arn=<DurableExecutionArn>")
        return render_template("execution.html", **execution_view(outputs, arn))

    @app.template_filter("pretty")
    def pretty(raw: str | None) -> str:
        if not raw:
            return ""
        try:
            return json.dumps(json.loads(raw), indent=2)
        except ValueError:
            return raw

    return app


def execution_view(outputs: dict[str, Any], arn: str) -> dict[str, Any]:
    """What the execution page shows, read from the environment: the execution, its history and its log lines."""
    lam = workloads.lambda_client(outputs)
    try:
        execution = lam.get_durable_execution(DurableExecutionArn=arn, IncludeExecutionData=True)
    except lam.exceptions.ResourceNotFoundException:
        abort(404, f"no durable execution {arn!r}")
    events = workloads.history_events(outputs, arn, include_data=True)
    return compose_view(outputs, execution, events, logs.lines_of(outputs, execution, events))


def compose_view(
    outputs: dict[str, Any], execution: dict[str, Any], events: list[dict[str, Any]], lines: list[logs.LogLine]
) -> dict[str, Any]:
    """The execution page's template variables, from what was read (no I/O: the benchmark renders synthetic ones)."""
    ended = execution.get("EndTimestamp") or datetime.now(UTC)
    running = execution["Status"] not in workloads.TERMINAL_STATUSES
    function = logs.function_name(execution["FunctionArn"])
    deployed: dict[str, dict[str, str]] = outputs.get("workloads", {})
    fn = next((key for key, found in deployed.items() if found["function_name"] == function), None)
    return {
        "execution": execution,
        "fn": fn,
        "version": execution.get("Version") or execution["FunctionArn"].rsplit(":", 1)[-1],
        "timeline": timeline.layout(events, execution["StartTimestamp"], ended),
        "lines": lines,
        "prefix": f"{outputs.get('environment', '')}-",
        "refresh": REFRESH_SECONDS if running else None,
        "dimensions": timeline,
    }


def serve(outputs: dict[str, Any], port: int, pid_file: Path | None = None) -> None:
    """Serve the console on 127.0.0.1:``port`` until interrupted; ``pid_file`` holds the pid meanwhile."""
    app = create_app(outputs)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # `kill <pid>` unwinds, so the pid file goes too
    if pid_file is not None:
        pid_file.parent.mkdir(parents=True, exist_ok=True)
        pid_file.write_text(f"{os.getpid()}\n")
    print(f"console of {outputs.get('environment')} on http://127.0.0.1:{port}/ (Ctrl-C stops it)", flush=True)
    try:
        app.run(host="127.0.0.1", port=port, threaded=True, use_reloader=False)
    finally:
        if pid_file is not None:
            pid_file.unlink(missing_ok=True)
