"""Parallel math: durable operations of one call (the documented 10 and 5)."""

import json

from benchmarks import durable, env

handler = env.attr("parallel_math.handler", "handler")
EVENT = {"num1": 10, "num2": 5}
EXPECTED = {"Add": 15, "Subtract": 5, "Multiply": 50, "Division": 2.0}


def operations() -> tuple[int, dict[str, int]]:
    result = durable.run(handler, {}, EVENT)
    if json.loads(result.result or "null") != EXPECTED:
        msg = f"parallel math answered {result.result}"
        raise RuntimeError(msg)
    return durable.op_count(result), durable.op_kinds(result)
