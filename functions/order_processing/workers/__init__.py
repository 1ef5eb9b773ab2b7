"""Plain (non-durable) worker Lambdas the order orchestrator chain-invokes, one module per Lambda."""

import hashlib


def stable_id(prefix: str, order_id: str) -> str:
    """An id derived from the order id: a retried call for the same order gets the same id."""
    digest = hashlib.sha256(order_id.encode()).hexdigest()[:16].upper()
    return f"{prefix}-{digest}"
