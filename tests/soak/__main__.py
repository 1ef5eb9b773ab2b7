"""`make soak`: every scenario at full size on the running local environment; a table and build/soak.json.

python -m tests.soak --outputs build/outputs-local.json [--orders N] [--messages N] [--examples N]
    [--strand-orders N] [--strand-messages N] [--strand-rounds N] [--only a,b]
Exit status 1 when any scenario reports a violation.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from tests.soak import contention, faults, fuzz, restart, storm, stranding
from tests.soak.env import SoakEnv, load_outputs

SCENARIOS = ("contention", "storm", "faults", "fuzz", "stranding", "restart")


def verdict(figures: dict[str, Any]) -> str:
    return "FAIL" if figures.get("violations") else "ok"


def summary(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The headline figures, flat."""
    c, s, r = results.get("contention", {}), results.get("storm", {}), results.get("restart", {})
    st = results.get("stranding", {})
    return {
        "orders_confirmed": c.get("orders_confirmed"),
        "orders_rejected": c.get("orders_rejected"),
        "units_sold": c.get("units_sold"),
        "stock": c.get("stock"),
        "stock_left": c.get("stock_left"),
        "order_latency_p50_s": c.get("latency_p50_s"),
        "order_latency_p95_s": c.get("latency_p95_s"),
        "messages_in": s.get("messages_in"),
        "messages_stored": s.get("stored"),
        "messages_dead_lettered": s.get("dead_lettered"),
        "drain_seconds": s.get("drain_seconds"),
        "messages_per_s": s.get("messages_per_s"),
        "executions_in_flight_at_restart": r.get("in_flight_at_stop"),
        "executions_resumed_after_restart": r.get("resumed_after_restart"),
        "executions_not_resumed": r.get("not_resumed"),
        "executions_stranded": st.get("stranded"),
        "strand_guard_fired": st.get("guard_fired"),
    }


def table(results: dict[str, dict[str, Any]]) -> str:
    lines = [f"{'scenario':<12} {'result':<6} figures", "-" * 100]
    for name, figures in results.items():
        shown = {k: v for k, v in figures.items() if k not in {"violations", "kinds", "example_reason"}}
        lines.append(f"{name:<12} {verdict(figures):<6} {json.dumps(shown)[:400]}")
        lines += [f"{'':<19}! {violation[:300]}" for violation in figures.get("violations", [])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--outputs", required=True, help="JSON of `make outputs ENV=local`")
    parser.add_argument("--report", default="build/soak.json")
    parser.add_argument("--orders", type=int, default=100, help="contention orders (stock: 60%% of the demand)")
    parser.add_argument("--concurrency", type=int, default=12)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--examples", type=int, default=100, help="fuzz examples per function")
    parser.add_argument("--restart-orders", type=int, default=20)
    parser.add_argument("--strand-orders", type=int, default=500, help="stranding: orders across the cold rounds")
    parser.add_argument("--strand-messages", type=int, default=500, help="stranding: pipeline messages")
    parser.add_argument("--strand-rounds", type=int, default=5, help="stranding: cold releases")
    parser.add_argument(
        "--engine-log",
        default=str(Path(os.environ.get("LOCAL_STATE_DIR", "build/local")) / "engine.log"),
        help="the durable engine's log, where the stranding scenario counts the strand guard's lines",
    )
    parser.add_argument("--only", default=",".join(SCENARIOS), help=f"comma-separated subset of {SCENARIOS}")
    args = parser.parse_args(argv)
    env = SoakEnv(load_outputs(args.outputs))
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    runs = {
        "contention": lambda: contention.run(
            env, orders=args.orders, stock=int(args.orders * 1.5 * 0.6), concurrency=args.concurrency
        ),
        "storm": lambda: storm.run(env, messages=args.messages),
        "faults": lambda: faults.run(env),
        "fuzz": lambda: fuzz.run(env, examples=args.examples),
        "stranding": lambda: stranding.run(
            env,
            orders=args.strand_orders,
            messages=args.strand_messages,
            rounds=args.strand_rounds,
            engine_log=Path(args.engine_log),
        ),
        "restart": lambda: restart.run(env, orders=args.restart_orders),  # last: it restarts the engine
    }
    results: dict[str, dict[str, Any]] = {}
    started = time.monotonic()
    for name in SCENARIOS:
        if name in chosen:
            print(f"== {name}", file=sys.stderr, flush=True)
            results[name] = runs[name]()
    report = {
        "summary": summary(results),
        "verdicts": {name: verdict(figures) for name, figures in results.items()},
        "scenarios": results,
        "seconds": round(time.monotonic() - started, 1),
        "endpoint": env.endpoint,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text(json.dumps(report, indent=2) + "\n")
    print(table(results))
    print(f"\nsummary: {json.dumps(report['summary'])}\nreport: {args.report}")
    return 1 if any(verdict(r) == "FAIL" for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
