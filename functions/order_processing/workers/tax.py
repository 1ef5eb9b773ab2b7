"""Tax worker: state sales tax on the order subtotal."""

from decimal import Decimal
from typing import Any, TypedDict

from common.faults import inject
from common.money import as_number, cents, to_decimal
from common.observability import observability, worker_handler
from common.payload import field, require_object

DEFAULT_RATE = Decimal("0.05")
STATE_RATES = {
    state: Decimal(rate)
    for state, rate in {
        "CA": "0.0725", "NY": "0.04", "TX": "0.0625", "FL": "0.06", "WA": "0.065",
        "IL": "0.0625", "PA": "0.06", "OH": "0.0575", "GA": "0.04", "NC": "0.0475",
        "MI": "0.06", "NJ": "0.0663", "VA": "0.053", "MA": "0.0625", "AZ": "0.056",
        "TN": "0.07", "IN": "0.07", "MO": "0.0423", "MD": "0.06", "WI": "0.05",
    }.items()
}  # fmt: skip

obs = observability("order-processing")


class TaxAssessment(TypedDict):
    amount: float
    rate: float
    jurisdiction: str


def assess(subtotal: Decimal, state: str) -> TaxAssessment:
    """Tax = subtotal x the state's rate (5% default), half-up to cents."""
    state = state.upper()
    rate = STATE_RATES.get(state)
    jurisdiction = f"{state} State Tax" if rate is not None else f"{state} State Tax (Default Rate)"
    rate = rate if rate is not None else DEFAULT_RATE
    return {"amount": as_number(cents(subtotal * rate)), "rate": float(rate), "jurisdiction": jurisdiction}


@worker_handler(obs, correlation_id_path="orderId")
def handler(event: Any, context: Any) -> TaxAssessment:
    inject("tax", event)  # local-only fault switch (FAULT_INJECTION); a no-op when unset
    payload = require_object(event)
    result = assess(to_decimal(field(payload, "subtotal", str)), field(payload, "state", str))
    obs.logger.info("tax assessed", extra=dict(result))
    return result
