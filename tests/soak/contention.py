"""Contention: many orders in parallel for one product with less stock than demanded.

Proves: exactly the stock is sold across the confirmed orders; stock never goes negative; no order is refused
while stock remains (a transaction conflict is retried by the inventory worker, never answered as out of stock);
every rejected order holds no stock (its reservation is absent or released).
"""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.soak.env import SoakEnv, percentile


def order(order_id: str, product: str, quantity: int) -> dict[str, Any]:
    return {
        "orderId": order_id,
        "items": [{"productId": product, "quantity": quantity, "price": 10.0}],
        "customer": {"id": "CUST-SOAK", "address": {"state": "CA", "zipCode": "94102"}, "paymentMethod": "paypal"},
    }


def run(env: SoakEnv, orders: int = 40, stock: int = 25, concurrency: int = 12) -> dict[str, Any]:
    run_id = uuid.uuid4().hex[:8]
    product = f"SOAK-{run_id}"
    table = env.outputs["inventory_table_name"]
    dynamodb = env.client("dynamodb")
    env.put_product(product, stock)
    lam = env.client("lambda", pool=concurrency + 4)
    # Quantities 1 and 2 alternate: demand is about 1.5 x orders, more than the stock.
    wanted = {f"ORD-SOAK-{run_id}-{n:04d}": 1 + n % 2 for n in range(orders)}

    def place(order_id: str) -> tuple[str, float, dict[str, Any], Any]:
        started = time.monotonic()
        response, body = env.invoke(
            lam, env.outputs["order_processor_alias_arn"], order(order_id, product, wanted[order_id])
        )
        return order_id, time.monotonic() - started, response, body

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        answers = list(pool.map(place, wanted))
    elapsed = time.monotonic() - started

    violations: list[str] = []
    confirmed: dict[str, int] = {}
    rejected: dict[str, int] = {}
    for order_id, _, response, body in answers:
        if response.get("FunctionError") or not isinstance(body, dict):
            violations.append(f"{order_id}: function error {body!r:.200}")
        elif body.get("success") is True:
            confirmed[order_id] = wanted[order_id]
        elif [f.get("step") for f in body.get("failures", [])] == ["inventory"] and "insufficient stock" in str(
            body["failures"][0].get("reason")
        ):
            rejected[order_id] = wanted[order_id]
        else:
            violations.append(f"{order_id}: unexpected answer {body!r:.300}")

    final = env.stock_of(product)
    sold = sum(confirmed.values())
    if final < 0:
        violations.append(f"stock went negative: {final}")
    if stock - final != sold:
        violations.append(f"stock moved by {stock - final} but confirmed orders hold {sold}")
    refused_too_early = [o for o, q in rejected.items() if q <= final]
    if refused_too_early:
        violations.append(
            f"{len(refused_too_early)} orders refused while {final} units remained: {refused_too_early[:3]}"
        )
    for order_id in rejected:
        item = dynamodb.get_item(
            TableName=table, Key={"pk": {"S": f"RESERVATION#{order_id}"}}, ConsistentRead=True
        ).get("Item")
        if item is not None and item["status"]["S"] != "RELEASED":
            violations.append(f"rejected order {order_id} holds a reservation ({item['status']['S']})")

    latencies = [latency for _, latency, _, _ in answers]
    return {
        "product": product,
        "orders": orders,
        "concurrency": concurrency,
        "stock": stock,
        "units_demanded": sum(wanted.values()),
        "orders_confirmed": len(confirmed),
        "orders_rejected": len(rejected),
        "units_sold": sold,
        "stock_left": final,
        "seconds": round(elapsed, 1),
        "orders_per_s": round(orders / elapsed, 2) if elapsed else 0.0,
        "latency_p50_s": percentile(latencies, 0.50),
        "latency_p95_s": percentile(latencies, 0.95),
        "violations": violations,
    }
