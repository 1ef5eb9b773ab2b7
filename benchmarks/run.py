"""`make bench`: run every measurement, print the table, write build/bench.json (the medians by figure key).

Usage: python -m benchmarks.run [--runs N] [--import-runs N] [--apply] [--output PATH]

A missed target is reported, not failed: the exit status is non-zero only when the benchmark itself crashed.
"""

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

from benchmarks import artifacts, deploy, durable, env
from benchmarks.stats import Figure, aligned, at_most, equals, summary, table

ORDER_RATIO_TARGET = 1.10
PIPELINE_RATIO_TARGET = 1.5
FUNCTION_ZIP_LIMIT = 64 * 1024


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="measured runs per latency figure (after a warm-up)")
    parser.add_argument(
        "--import-runs", type=int, default=15, help="rounds of fresh interpreters (each floor and handler once a round)"
    )
    parser.add_argument("--apply", action="store_true", help="time `make apply ENV=local` from an empty emulator")
    parser.add_argument("--output", type=Path, default=env.BUILD / "bench.json")
    parser.add_argument(
        "--sdk-stop-poll",
        type=float,
        metavar="SECONDS",
        help="what-if: the durable SDK's checkpoint-batcher stop poll (3.0.0: 0.1 s, paid at every suspension)",
    )
    return parser.parse_args(argv)


def _progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def order_figures(runs: int, details: dict[str, Any]) -> tuple[list[Figure], dict[str, int]]:
    from benchmarks import orders  # noqa: PLC0415  (imports the handlers: after the environment is set)

    _progress(f"order processing: {runs} runs, workers {orders.LATENCY_S}")
    orders.run_once()  # warm-up: first-use imports and thread pools
    measured = [orders.run_once() for _ in range(runs)]
    step_per_worker = [orders.run_step_per_worker_once() for _ in range(max(1, runs // 2))]
    details["order"] = {
        "worker_latency_ms": {name: s * 1000 for name, s in orders.LATENCY_S.items()},
        "inventory": "stand-in answer {available: true, reservationId: stable_id('RES', orderId)}, no DynamoDB",
        "workers_overlap_ratio": [r.overlap_s / r.slowest_s for r in measured],
        "operations_by_kind": measured[0].kinds,
        "step_per_worker_operations_by_kind": step_per_worker[0].kinds,
        # The step-per-worker design's steps checkpoint asynchronously, so its context timestamps are checkpoint
        # arrival times (not when the section ran): its section is timed inside the stand-in workers instead (first
        # start to last end).
        "step_per_worker_workers_overlap_ratio": [r.overlap_s / r.slowest_s for r in step_per_worker],
        "runner_reinvocations_after_invalid_pending": sum(r.runner_retries for r in measured),
    }
    figures = [
        Figure(
            "order_parallel_ratio",
            [r.section_s / r.slowest_s for r in measured],
            target=f"<= {ORDER_RATIO_TARGET}",
            check=at_most(ORDER_RATIO_TARGET),
        ),
        Figure("order_speedup_vs_sequential", [r.total_worker_s / r.section_s for r in measured], unit="x"),
        Figure("order_parallel_section_ms", [r.section_s * 1000 for r in measured], unit="ms", digits=1),
        Figure("order_slowest_worker_ms", [r.slowest_s * 1000 for r in measured], unit="ms", digits=1),
    ]
    ops = {"order": measured[0].operations, "order_step_per_worker": step_per_worker[0].operations}
    return figures, ops


def pipeline_figures(runs: int, details: dict[str, Any]) -> tuple[list[Figure], dict[str, float]]:
    from benchmarks import pipeline  # noqa: PLC0415

    _progress(f"data pipeline: {runs} runs of a 1-record and a {pipeline.BATCH}-record batch")
    pipeline.run_once(1, "warm-1")
    pipeline.run_once(pipeline.BATCH, "warm-n")
    ones, batches = [], []
    for index in range(runs):
        ones.append(pipeline.run_once(1, f"one-{index}"))
        batches.append(pipeline.run_once(pipeline.BATCH, f"batch-{index}"))
    per_record = (batches[0].operations - ones[0].operations) / (pipeline.BATCH - 1)
    details["pipeline"] = {
        "store_latency_ms": pipeline.STORE_LATENCY_S * 1000,
        "record_concurrency": env.RECORD_CONCURRENCY,
        "operations_by_kind_1_record": ones[0].kinds,
        f"operations_by_kind_{pipeline.BATCH}_records": batches[0].kinds,
        "runner_reinvocations_after_invalid_pending": sum(r.runner_retries for r in ones + batches),
    }
    figures = [
        Figure(
            "pipeline_batch_ratio",
            [b.section_s / o.section_s for o, b in zip(ones, batches, strict=True)],
            target=f"<= {PIPELINE_RATIO_TARGET}",
            check=at_most(PIPELINE_RATIO_TARGET),
        ),
        Figure("pipeline_1_record_ms", [r.section_s * 1000 for r in ones], unit="ms", digits=1),
        Figure(f"pipeline_{pipeline.BATCH}_records_ms", [r.section_s * 1000 for r in batches], unit="ms", digits=1),
    ]
    fixed = ones[0].operations - per_record
    return figures, {
        "pipeline_record": int(per_record) if per_record.is_integer() else per_record,
        "pipeline_batch_fixed": int(fixed) if fixed.is_integer() else fixed,
    }


def math_operations() -> int:
    from benchmarks import math_calls  # noqa: PLC0415

    count, _ = math_calls.operations()
    return count


def zip_figures() -> tuple[list[Figure], dict[str, int] | None, str]:
    _progress("package sizes (build/dist)")
    zips = artifacts.zip_sizes()
    if not zips.sizes:
        return [Figure("zip_bytes", unit="B", reason=zips.reason)], None, zips.reason
    figures = []
    for name, size in zips.sizes.items():
        is_function = name in zips.functions
        figures.append(
            Figure(
                f"zip_bytes.{name}",
                [float(size)],
                unit="B",
                target=f"<= {FUNCTION_ZIP_LIMIT}" if is_function else "",
                check=at_most(FUNCTION_ZIP_LIMIT) if is_function else None,
                digits=0,
            )
        )
    return figures, zips.sizes, ""


def import_figures(runs: int) -> tuple[list[Figure], dict[str, Any]]:
    """Each handler's cold import, its class's floor from the same rounds, and the ratio to that floor."""
    probes = len(artifacts.FLOORS) + len(artifacts.handler_classes())
    _progress(f"cold imports: {probes} floors and handler modules x {runs} rounds of fresh interpreters, interleaved")
    cold = artifacts.cold_imports(runs)
    figures = [
        Figure(f"import_floor_ms.{name}", [s * 1000 for s in samples], unit="ms", digits=1)
        for name, samples in cold.floors.items()
    ]
    rows: dict[str, Any] = {}
    for module, samples in cold.handlers.items():
        kind = cold.classes[module]
        ratio = Figure(
            f"import_ratio.{module}",
            cold.ratios(module),
            unit="x",
            target=f"<= {kind.target_ratio:g} x {kind.floor}",
            check=at_most(kind.target_ratio),
            digits=2,
        )
        figures += [Figure(f"import_ms.{module}", [s * 1000 for s in samples], unit="ms", digits=1), ratio]
        rows[module] = {
            "class": kind.name,
            "floor": kind.floor,
            "median_ms": round(statistics.median(samples) * 1000, 1),
            "floor_median_ms": round(statistics.median(cold.floors[kind.floor]) * 1000, 1),
            "ratio": ratio.value(),
            "target_ratio": kind.target_ratio,
            "result": ratio.verdict,
        }
    slowest = max(cold.handlers, key=lambda module: statistics.median(cold.handlers[module]))
    figures.append(
        Figure(
            "cold_import_ms_max",
            [s * 1000 for s in cold.handlers[slowest]],
            unit="ms",
            reason=f"slowest module: {slowest}",
            digits=1,
        )
    )
    report = {
        "rounds": runs,
        "ratio": "median over rounds of (handler import / its class's floor import in the same round)",
        "floors": {
            name: {"imports": list(artifacts.FLOORS[name]), "median_ms": round(statistics.median(s) * 1000, 1)}
            for name, s in cold.floors.items()
        },
        "handlers": rows,
    }
    return figures, report


def cold_import_table(report: dict[str, Any]) -> str:
    """One line per handler: its class, its median next to its floor's, the ratio and the verdict."""
    header = ("handler module", "class", "median ms", "floor", "floor ms", "ratio", "target", "result")
    rows = [header] + [
        (
            module,
            row["class"],
            f"{row['median_ms']:.1f}",
            row["floor"],
            f"{row['floor_median_ms']:.1f}",
            f"{row['ratio']:.2f}",
            f"<= {row['target_ratio']:g}",
            row["result"],
        )
        for module, row in report["handlers"].items()
    ]
    title = f"cold imports ({report['rounds']} interleaved rounds of fresh interpreters; medians, ratio to floor):"
    return "\n".join([title, *aligned(rows)])


def deploy_figures(enabled: bool, details: dict[str, Any]) -> list[Figure]:
    apply_figure = Figure("apply_local_seconds", unit="s", digits=1)
    replan = Figure("replan_changes", target="= 0", check=equals(0), digits=0)
    if not enabled:
        apply_figure.reason = replan.reason = "not run: opt in with `make bench BENCH_APPLY=1` (resets the emulator)"
        return [apply_figure, replan]
    _progress("make down; make up; make apply ENV=local; make plan ENV=local (takes minutes)")
    result = deploy.apply_local()
    if result.apply_seconds is not None:
        apply_figure.samples = [result.apply_seconds]
    if result.replan_changes is not None:
        replan.samples = [float(result.replan_changes)]
        details["replan_changes"] = result.changes
    if result.reason:
        apply_figure.reason = apply_figure.reason or ("" if apply_figure.samples else result.reason)
        replan.reason = result.reason
    return [apply_figure, replan]


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    try:
        artifacts.handler_classes()
    except artifacts.UnclassifiedHandlerError as error:
        print(f"bench: error: {error}", file=sys.stderr)
        return 2
    env.apply()
    details: dict[str, Any] = {}
    if args.sdk_stop_poll is not None:
        durable.set_stop_poll(args.sdk_stop_poll)
        details["what_if"] = f"durable SDK stop poll patched to {args.sdk_stop_poll} s (3.0.0 ships 0.1 s)"
        _progress(details["what_if"])
    figures: list[Figure] = []

    order, order_ops = order_figures(args.runs, details)
    batch, pipeline_ops = pipeline_figures(args.runs, details)
    durable_ops: dict[str, float] = {
        "order": order_ops["order"],
        "math": math_operations(),
        "pipeline_record": pipeline_ops["pipeline_record"],
        "order_step_per_worker": order_ops["order_step_per_worker"],
        "pipeline_batch_fixed": pipeline_ops["pipeline_batch_fixed"],
    }
    figures += order + batch
    figures += [
        Figure(f"durable_ops.{name}", [float(count)], unit="ops", digits=2) for name, count in durable_ops.items()
    ]
    zips, zip_bytes, zip_reason = zip_figures()
    figures += zips
    imports, cold_report = import_figures(args.import_runs)
    figures += imports
    figures += deploy_figures(args.apply, details)

    by_key = {figure.key: figure for figure in figures}
    report: dict[str, Any] = {
        "order_parallel_ratio": by_key["order_parallel_ratio"].value(),
        "order_speedup_vs_sequential": by_key["order_speedup_vs_sequential"].value(),
        "pipeline_batch_ratio": by_key["pipeline_batch_ratio"].value(),
        "durable_ops": durable_ops,
        "zip_bytes": zip_bytes,
        "cold_import_ms_max": by_key["cold_import_ms_max"].value(),
        "cold_imports": cold_report,
        "apply_local_seconds": by_key["apply_local_seconds"].value(),
        "replan_changes": by_key["replan_changes"].value(),
        "reasons": {
            key: reason
            for key, reason in {
                "zip_bytes": zip_reason,
                "apply_local_seconds": by_key["apply_local_seconds"].reason,
                "replan_changes": by_key["replan_changes"].reason,
            }.items()
            if reason
        },
        "runs": {"latency": args.runs, "import": args.import_runs},
        "figures": summary(figures),
        "details": details,
    }
    if report["replan_changes"] is not None:
        report["replan_changes"] = int(report["replan_changes"])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, sort_keys=False) + "\n")
    print(table(figures))
    print()
    print(cold_import_table(cold_report))
    missed = [figure.key for figure in figures if figure.verdict == "MISS"]
    print(f"\nwrote {args.output.relative_to(env.ROOT) if args.output.is_relative_to(env.ROOT) else args.output}")
    print(f"targets missed: {', '.join(missed)}" if missed else "every measured target met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
